package archive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/sesver/legajo"
)

// settingsRoot holds every version of the settings:
// configuracion/<version, 8 digits>.json.
const settingsRoot = "configuracion/"

var _ legajo.SettingsStore = (*Archive)(nil)

// Settings returns the latest version of the settings.
func (a *Archive) Settings(ctx context.Context) (legajo.Settings, error) {
	var last string
	if err := a.st.List(ctx, settingsRoot, "", func(o ObjectInfo) error { last = o.Key; return nil }); err != nil {
		return legajo.Settings{}, err
	}
	if last == "" {
		return legajo.Settings{}, legajo.Errorf(legajo.ErrNotFound, "No se han guardado ajustes.")
	}
	b, err := a.st.Get(ctx, last)
	if err != nil {
		return legajo.Settings{}, err
	}
	var s legajo.Settings
	if err := json.Unmarshal(b, &s); err != nil {
		return legajo.Settings{}, fmt.Errorf("archive: settings %s: %w", last, err)
	}
	return s, nil
}

// SaveSettings stores the next version; a concurrent save fails.
func (a *Archive) SaveSettings(ctx context.Context, s legajo.Settings) (legajo.Settings, error) {
	if err := s.Validate(); err != nil {
		return s, err
	}
	s.Version++
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return s, err
	}
	key := fmt.Sprintf("%s%08d.json", settingsRoot, s.Version)
	if err := a.st.Create(ctx, key, b, CreateOptions{ContentType: "application/json"}); err != nil {
		if errors.Is(err, legajo.ErrConflict) {
			return s, legajo.Errorf(legajo.ErrConflict, "Otra persona guardó los ajustes al mismo tiempo; recargue la página y vuelva a intentarlo.")
		}
		return s, err
	}
	return s, nil
}
