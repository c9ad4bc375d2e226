package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/archive"
	"github.com/sesver/legajo/fixtures"
)

// Config is everything Legajo is configured with: a plain struct read from
// an optional file (LEGAJO_CONFIG or ./legajo.yaml), then LEGAJO_*
// variables, then flags; validated once.
type Config struct {
	Data        string // LEGAJO_DATA: fs archive, index and generated secrets
	Archive     string // LEGAJO_ARCHIVE: fs:<dir> or s3://<host:port>/<bucket>
	Index       string // LEGAJO_INDEX: the search index directory
	S3          archive.S3Config
	KeyFile     string // LEGAJO_SIGNING_KEY_FILE: the institution's signing key
	PublicKey   string // LEGAJO_PUBLIC_KEY: its public half, to verify without it
	Witness     string // LEGAJO_WITNESS: fs:<dir> or s3://<host:port>/<bucket>, where checkpoints are also kept
	File        string // the configuration file read, if any
	Expedientes []legajo.Expediente
	Areas       []string
	Institution legajo.Institution
	Directory   legajo.Directory
	Logo        []byte
	Zone        *time.Location
}

// fileConfig is the configuration file's format.
type fileConfig struct {
	Institution *struct {
		Name        string   `yaml:"name"`
		Units       []string `yaml:"units"`
		Legend      string   `yaml:"legend"`
		YearLegend  string   `yaml:"year_legend"`
		Place       string   `yaml:"place"`
		Address     string   `yaml:"address"`
		FolioPrefix string   `yaml:"folio_prefix"`
		Logo        string   `yaml:"logo"` // path, relative to the file
	} `yaml:"institution"`
	Signatories []struct {
		Role     string `yaml:"role"`
		Name     string `yaml:"name"`
		Position string `yaml:"position"`
		From     string `yaml:"from"`
		To       string `yaml:"to"`
	} `yaml:"signatories"`
	BaseURL     string `yaml:"base_url"`
	Expedientes []struct {
		ID                 string   `yaml:"id"`
		Name               string   `yaml:"name"`
		Code               string   `yaml:"code"`
		YearsTramite       int      `yaml:"years_tramite"`
		YearsConcentracion int      `yaml:"years_concentracion"`
		Destino            string   `yaml:"destino"`
		Valores            []string `yaml:"valores"`
		Acceso             string   `yaml:"acceso"`
	} `yaml:"expedientes"`
}

// loadConfig builds the configuration. With no file, Legajo runs on its
// embedded defaults: SESVER's letterhead and the sample signatories.
func (m *Main) loadConfig() (*Config, error) {
	zone, err := time.LoadLocation("America/Mexico_City")
	if err != nil {
		return nil, fmt.Errorf("config: time zone: %w", err)
	}
	data := envOr(m.Getenv, "LEGAJO_DATA", "data")
	c := &Config{
		Data:        data,
		Archive:     envOr(m.Getenv, "LEGAJO_ARCHIVE", "fs:"+filepath.Join(data, "archive")),
		Index:       envOr(m.Getenv, "LEGAJO_INDEX", filepath.Join(data, "index")),
		KeyFile:     envOr(m.Getenv, "LEGAJO_SIGNING_KEY_FILE", filepath.Join(data, "secrets", "firma.key")),
		PublicKey:   m.Getenv("LEGAJO_PUBLIC_KEY"),
		Witness:     m.Getenv("LEGAJO_WITNESS"),
		Institution: fixtures.Institution(),
		Directory:   fixtures.Directory(),
		Expedientes: legajo.DefaultExpedientes(),
		Areas:       fixtures.Areas,
		Zone:        zone,
	}
	if err := c.parseArchive(m.Getenv); err != nil {
		return nil, err
	}
	path := m.Getenv("LEGAJO_CONFIG")
	if path == "" {
		if _, err := os.Stat("legajo.yaml"); err == nil {
			path = "legajo.yaml"
		}
	}
	if path != "" {
		if err := c.readFile(path); err != nil {
			return nil, err
		}
	}
	if u := m.Getenv("LEGAJO_BASE_URL"); u != "" {
		c.Institution.BaseURL = u
	}
	return c, nil
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

func (c *Config) readFile(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var fc fileConfig
	if err := dec.Decode(&fc); err != nil {
		return fmt.Errorf("config: %s: %w", path, err)
	}
	c.File = path
	if in := fc.Institution; in != nil {
		c.Institution = legajo.Institution{Name: in.Name, Units: in.Units, Legend: in.Legend, YearLegend: in.YearLegend,
			Place: in.Place, Address: in.Address, FolioPrefix: in.FolioPrefix, BaseURL: c.Institution.BaseURL}
		if in.Name == "" || in.Place == "" || in.FolioPrefix == "" {
			return fmt.Errorf("config: %s: institution needs name, place and folio_prefix", path)
		}
		if in.Logo != "" {
			logo := in.Logo
			if !filepath.IsAbs(logo) {
				logo = filepath.Join(filepath.Dir(path), logo)
			}
			if c.Logo, err = os.ReadFile(logo); err != nil {
				return fmt.Errorf("config: %s: logo: %w", path, err)
			}
		}
	}
	if fc.BaseURL != "" {
		c.Institution.BaseURL = fc.BaseURL
	}
	if len(fc.Expedientes) > 0 {
		c.Expedientes = nil
		for _, e := range fc.Expedientes {
			exp := legajo.Expediente{ID: e.ID, Name: e.Name, Code: e.Code, Order: "cronológico", YearsTramite: e.YearsTramite,
				YearsConcentracion: e.YearsConcentracion, Destino: e.Destino, Valores: e.Valores, Acceso: e.Acceso}
			if err := exp.Validate(); err != nil {
				return fmt.Errorf("config: %s: %w", path, err)
			}
			c.Expedientes = append(c.Expedientes, exp)
		}
	}
	if len(fc.Signatories) > 0 {
		c.Directory = nil
		for i, s := range fc.Signatories {
			from, err := time.Parse(legajo.DateLayout, s.From)
			if err != nil || s.Role == "" || s.Name == "" || s.Position == "" {
				return fmt.Errorf("config: %s: signatories[%d]: needs role, name, position and from (AAAA-MM-DD)", path, i)
			}
			var to time.Time
			if s.To != "" {
				if to, err = time.Parse(legajo.DateLayout, s.To); err != nil || to.Before(from) {
					return fmt.Errorf("config: %s: signatories[%d]: bad to date", path, i)
				}
			}
			c.Directory = append(c.Directory, legajo.Signatory{Role: s.Role, Name: s.Name, Position: s.Position, From: from, To: to})
		}
	}
	return nil
}

// parseArchive reads LEGAJO_ARCHIVE: fs:<dir> or s3://<host:port>/<bucket>
// with LEGAJO_S3_ACCESS_KEY, LEGAJO_S3_SECRET_KEY, LEGAJO_S3_REGION and
// LEGAJO_S3_INSECURE=1 for plain http.
func (c *Config) parseArchive(getenv func(string) string) error {
	switch {
	case strings.HasPrefix(c.Archive, "fs:"):
		if strings.TrimPrefix(c.Archive, "fs:") == "" {
			return fmt.Errorf("config: LEGAJO_ARCHIVE=fs: needs a directory")
		}
		return nil
	case strings.HasPrefix(c.Archive, "s3://"):
		rest := strings.TrimPrefix(c.Archive, "s3://")
		host, bucket, ok := strings.Cut(rest, "/")
		if !ok || host == "" || bucket == "" || strings.Contains(bucket, "/") {
			return fmt.Errorf("config: LEGAJO_ARCHIVE=%q: want s3://<host:port>/<bucket>", c.Archive)
		}
		c.S3 = archive.S3Config{Endpoint: host, Bucket: bucket, AccessKey: getenv("LEGAJO_S3_ACCESS_KEY"),
			SecretKey: getenv("LEGAJO_S3_SECRET_KEY"), Region: getenv("LEGAJO_S3_REGION"),
			Secure: getenv("LEGAJO_S3_INSECURE") != "1", CreateBucket: true, ObjectLock: true}
		if c.S3.AccessKey == "" || c.S3.SecretKey == "" {
			return fmt.Errorf("config: an s3 archive needs LEGAJO_S3_ACCESS_KEY and LEGAJO_S3_SECRET_KEY")
		}
		return nil
	}
	return fmt.Errorf("config: LEGAJO_ARCHIVE=%q: want fs:<dir> or s3://<host:port>/<bucket>", c.Archive)
}
