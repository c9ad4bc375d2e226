package main

import (
	"bytes"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/archive"
	"github.com/sesver/legajo/fixtures"
	"github.com/sesver/legajo/mail"
	"github.com/sesver/legajo/web"
)

// Config is everything Legajo is configured with: a plain struct read from
// an optional file (LEGAJO_CONFIG or ./legajo.yaml), then LEGAJO_*
// variables, then flags; validated once.
type Config struct {
	Data      string // LEGAJO_DATA: fs archive, index and generated secrets
	Archive   string // LEGAJO_ARCHIVE: fs:<dir> or s3://<host:port>/<bucket>
	Index     string // LEGAJO_INDEX: the search index directory
	S3        archive.S3Config
	KeyFile   string // LEGAJO_SIGNING_KEY_FILE: the institution's signing key
	PublicKey string // LEGAJO_PUBLIC_KEY: its public half, to verify without it
	Witness   string // LEGAJO_WITNESS: fs:<dir> or s3://<host:port>/<bucket>, where checkpoints are also kept
	// LEGAJO_TRUSTED_PROXIES: the reverse proxies whose X-Forwarded-For is
	// believed (addresses or prefixes), so that the login throttle and the
	// logs see the person, not the proxy.
	TrustedProxies []netip.Prefix
	File           string // the configuration file read, if any
	Expedientes    []legajo.Expediente
	Areas          []string
	Institution    legajo.Institution
	Directory      legajo.Directory
	Logo           []byte
	Zone           *time.Location
	Backup         BackupConfig
	Mail           *mail.Config // LEGAJO_SMTP_*: nil, no e-mail (see parseMail)

	// BaseURLSet: base_url was configured (file or LEGAJO_BASE_URL); if
	// not, serve derives it from a loopback listening address.
	BaseURLSet bool
}

// BackupConfig is the daily backup `legajo serve` runs: off when To is "".
type BackupConfig struct {
	To string           // LEGAJO_BACKUP_TO, file backup.to: fs:<dir> or s3://<host:port>/<bucket>
	At string           // LEGAJO_BACKUP_AT, file backup.at: HH:MM in the configured zone; default 02:00
	S3 archive.S3Config // when To is on s3, with LEGAJO_BACKUP_S3_* credentials
}

// fileConfig is the configuration file's format.
type fileConfig struct {
	Institution *struct {
		Name        string         `yaml:"name"`
		Units       []string       `yaml:"units"`
		Legend      string         `yaml:"legend"`
		YearLegends map[int]string `yaml:"year_legends"` // year → «2026, Año de …»
		Place       string         `yaml:"place"`
		Address     string         `yaml:"address"`
		FolioPrefix string         `yaml:"folio_prefix"`
		Logo        string         `yaml:"logo"` // path, relative to the file
	} `yaml:"institution"`
	Signatories []struct {
		Role     string `yaml:"role"`
		Name     string `yaml:"name"`
		Position string `yaml:"position"`
		Gender   string `yaml:"gender"` // F or M; empty: told from the position
		From     string `yaml:"from"`
		To       string `yaml:"to"`
	} `yaml:"signatories"`
	BaseURL     string `yaml:"base_url"`
	Expedientes []struct {
		ID                 string   `yaml:"id"`
		Name               string   `yaml:"name"`
		Description        string   `yaml:"description"`
		Code               string   `yaml:"code"`
		YearsTramite       int      `yaml:"years_tramite"`
		YearsConcentracion int      `yaml:"years_concentracion"`
		Destino            string   `yaml:"destino"`
		Valores            []string `yaml:"valores"`
		Acceso             string   `yaml:"acceso"`
	} `yaml:"expedientes"`
	Backup *struct {
		To string `yaml:"to"`
		At string `yaml:"at"`
	} `yaml:"backup"`
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
		Logo:        fixtures.Logo(),
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
		c.BaseURLSet = true
	}
	if c.TrustedProxies, err = web.ParseTrustedProxies(m.Getenv("LEGAJO_TRUSTED_PROXIES")); err != nil {
		return nil, err
	}
	if err := c.parseBackup(m.Getenv); err != nil {
		return nil, err
	}
	if err := c.parseMail(m.Getenv); err != nil {
		return nil, err
	}
	return c, nil
}

// parseBackup completes the daily backup's settings from LEGAJO_BACKUP_TO
// and LEGAJO_BACKUP_AT, which win over the file, and checks them.
func (c *Config) parseBackup(getenv func(string) string) error {
	c.Backup.To = envOr(getenv, "LEGAJO_BACKUP_TO", c.Backup.To)
	c.Backup.At = envOr(getenv, "LEGAJO_BACKUP_AT", c.Backup.At)
	if c.Backup.To == "" {
		return nil
	}
	if c.Backup.At == "" {
		c.Backup.At = "02:00"
	}
	if _, err := time.Parse("15:04", c.Backup.At); err != nil || len(c.Backup.At) != 5 {
		return fmt.Errorf("config: LEGAJO_BACKUP_AT=%q: want HH:MM, e.g. 02:00", c.Backup.At)
	}
	s3, err := backupLocation("LEGAJO_BACKUP_TO", c.Backup.To, getenv)
	c.Backup.S3 = s3
	return err
}

// backupLocation reads where a backup is; its credentials are
// LEGAJO_BACKUP_S3_ACCESS_KEY and …_SECRET_KEY, else the archive's.
func backupLocation(name, spec string, getenv func(string) string) (archive.S3Config, error) {
	return parseLocation(name, spec, getenv, "LEGAJO_BACKUP_S3_", "LEGAJO_S3_")
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
		c.Institution = legajo.Institution{Name: in.Name, Units: in.Units, Legend: in.Legend, YearLegends: in.YearLegends,
			Place: in.Place, Address: in.Address, FolioPrefix: in.FolioPrefix, BaseURL: c.Institution.BaseURL}
		if in.Name == "" || in.Place == "" || in.FolioPrefix == "" {
			return fmt.Errorf("config: %s: institution needs name, place and folio_prefix", path)
		}
		if err := checkYearLegends(in.YearLegends); err != nil {
			return fmt.Errorf("config: %s: %w", path, err)
		}
		c.Logo = nil // the sample logo is the demo's, not a deployment's
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
		c.BaseURLSet = true
	}
	if b := fc.Backup; b != nil {
		c.Backup.To, c.Backup.At = b.To, b.At
	}
	if len(fc.Expedientes) > 0 {
		c.Expedientes = nil
		for _, e := range fc.Expedientes {
			exp := legajo.Expediente{ID: e.ID, Name: e.Name, Description: e.Description, Code: e.Code, Order: "cronológico", YearsTramite: e.YearsTramite,
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
			if !legajo.ValidGender(s.Gender) {
				return fmt.Errorf("config: %s: signatories[%d]: gender must be F or M (or left out to tell it from the position)", path, i)
			}
			var to time.Time
			if s.To != "" {
				if to, err = time.Parse(legajo.DateLayout, s.To); err != nil || to.Before(from) {
					return fmt.Errorf("config: %s: signatories[%d]: bad to date", path, i)
				}
			}
			c.Directory = append(c.Directory, legajo.Signatory{Role: s.Role, Name: s.Name, Position: s.Position, Gender: s.Gender, From: from, To: to})
		}
	}
	return nil
}

// checkYearLegends refuses a legend that would not print: an empty one,
// one for a year that is not a plausible year, or a character the
// documents' fonts lack.
func checkYearLegends(legends map[int]string) error {
	for year, l := range legends {
		if year < 1900 || year > 2200 {
			return fmt.Errorf("institution.year_legends: %d is not a year", year)
		}
		if strings.TrimSpace(l) == "" {
			return fmt.Errorf("institution.year_legends[%d] is empty", year)
		}
		for _, r := range l {
			if _, ok := legajo.CP1252(r); !ok || r == '\n' || r == '\t' {
				return fmt.Errorf("institution.year_legends[%d]: %q cannot be printed", year, r)
			}
		}
	}
	return nil
}

// parseArchive reads LEGAJO_ARCHIVE: fs:<dir> or s3://<host:port>/<bucket>
// with LEGAJO_S3_ACCESS_KEY, LEGAJO_S3_SECRET_KEY, LEGAJO_S3_REGION,
// LEGAJO_S3_INSECURE=1 for plain http and LEGAJO_S3_TIMEOUT (a duration:
// the longest wait for one answer of the server, 15s by default).
func (c *Config) parseArchive(getenv func(string) string) error {
	s3, err := parseLocation("LEGAJO_ARCHIVE", c.Archive, getenv, "LEGAJO_S3_")
	c.S3 = s3
	return err
}

// parseLocation reads where a Store is, as named by the variable name:
// fs:<dir>, or s3://<host:port>/<bucket> whose settings it returns, taking
// ACCESS_KEY, SECRET_KEY, REGION and INSECURE from the first of the
// variable prefixes that sets each (LEGAJO_BACKUP_S3_ before LEGAJO_S3_).
func parseLocation(name, spec string, getenv func(string) string, prefixes ...string) (archive.S3Config, error) {
	env := func(v string) string {
		for _, p := range prefixes {
			if s := getenv(p + v); s != "" {
				return s
			}
		}
		return ""
	}
	switch {
	case strings.HasPrefix(spec, "fs:"):
		if strings.TrimPrefix(spec, "fs:") == "" {
			return archive.S3Config{}, fmt.Errorf("config: %s=fs: needs a directory", name)
		}
		return archive.S3Config{}, nil
	case strings.HasPrefix(spec, "s3://"):
		rest := strings.TrimPrefix(spec, "s3://")
		host, bucket, ok := strings.Cut(rest, "/")
		if !ok || host == "" || bucket == "" || strings.Contains(bucket, "/") || strings.Contains(host, "@") {
			return archive.S3Config{}, fmt.Errorf("config: %s=%q: want s3://<host:port>/<bucket>", name, spec)
		}
		s3 := archive.S3Config{Endpoint: host, Bucket: bucket, AccessKey: env("ACCESS_KEY"),
			SecretKey: env("SECRET_KEY"), Region: env("REGION"),
			Secure: env("INSECURE") != "1", CreateBucket: true, ObjectLock: true}
		if s3.AccessKey == "" || s3.SecretKey == "" {
			return archive.S3Config{}, fmt.Errorf("config: %s on s3 needs %sACCESS_KEY and %sSECRET_KEY", name, prefixes[0], prefixes[0])
		}
		if t := env("TIMEOUT"); t != "" {
			d, err := time.ParseDuration(t)
			if err != nil || d <= 0 {
				return archive.S3Config{}, fmt.Errorf("config: %sTIMEOUT=%q: want a duration such as 15s", prefixes[0], t)
			}
			s3.Timeout = d
		}
		return s3, nil
	}
	return archive.S3Config{}, fmt.Errorf("config: %s=%q: want fs:<dir> or s3://<host:port>/<bucket>", name, spec)
}

// MetricsConfig is where `legajo serve` serves /metrics: off when Addr is
// "". The metrics are served on a listener of their own, never on the
// application's: the reverse proxy publishes the application's port, so
// no rule of the proxy (or its absence) can expose them. On this machine
// only (a loopback address) anyone who can log in to it may scrape; on
// any other address a bearer token is required, so that an address
// reachable from the network never serves them to whoever asks.
type MetricsConfig struct {
	Addr  string // LEGAJO_METRICS_ADDR: host:port, e.g. 127.0.0.1:9464
	Token string // LEGAJO_METRICS_TOKEN: Authorization: Bearer <token>
}

// minMetricsToken is the shortest token accepted: as long as a 128-bit
// random value in hex.
const minMetricsToken = 32

// metricsConfig reads LEGAJO_METRICS_ADDR and LEGAJO_METRICS_TOKEN and
// checks them.
func metricsConfig(getenv func(string) string) (MetricsConfig, error) {
	c := MetricsConfig{Addr: getenv("LEGAJO_METRICS_ADDR"), Token: getenv("LEGAJO_METRICS_TOKEN")}
	if c.Addr == "" {
		return c, nil
	}
	host, _, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return c, fmt.Errorf("config: LEGAJO_METRICS_ADDR=%q: want host:port, e.g. 127.0.0.1:9464", c.Addr)
	}
	if c.Token != "" && len(c.Token) < minMetricsToken {
		return c, fmt.Errorf("config: LEGAJO_METRICS_TOKEN must have %d or more characters (e.g. openssl rand -hex 32)", minMetricsToken)
	}
	ip := net.ParseIP(host)
	loopback := host == "localhost" || (ip != nil && ip.IsLoopback())
	if !loopback && c.Token == "" {
		return c, fmt.Errorf("config: LEGAJO_METRICS_ADDR=%q is not on this machine only: set LEGAJO_METRICS_TOKEN too "+
			"(the metrics are then served only with «Authorization: Bearer <token>»), or listen on 127.0.0.1", c.Addr)
	}
	return c, nil
}
