package templates

import (
	"testing"

	"github.com/sesver/legajo"
)

func TestLoadEmbedded(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, ty := range c.Types() {
		if ty.Field("area") == nil && ty.Layout != legajo.LayoutLabel {
			t.Errorf("%s: every filed document names its área in a field called area", ty.ID)
		}
	}
}
