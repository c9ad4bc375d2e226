package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/fixtures"
)

// Config is everything Legajo is configured with: a plain struct read from
// an optional file (LEGAJO_CONFIG or ./legajo.yaml), then LEGAJO_*
// variables, then flags; validated once.
type Config struct {
	Data        string // LEGAJO_DATA: fs archive, index and generated secrets
	File        string // the configuration file read, if any
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
	BaseURL string `yaml:"base_url"`
}

// loadConfig builds the configuration. With no file, Legajo runs on its
// embedded defaults: SESVER's letterhead and the sample signatories.
func (m *Main) loadConfig() (*Config, error) {
	zone, err := time.LoadLocation("America/Mexico_City")
	if err != nil {
		return nil, fmt.Errorf("config: time zone: %w", err)
	}
	c := &Config{
		Data:        envOr(m.Getenv, "LEGAJO_DATA", "data"),
		Institution: fixtures.Institution(),
		Directory:   fixtures.Directory(),
		Zone:        zone,
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
