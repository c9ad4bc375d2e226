package legajo

import "sort"

// Catalog is the set of document types in force, sorted by id.
type Catalog struct {
	types []*DocType
	byID  map[string]*DocType
}

// NewCatalog indexes types. It assumes they were validated by their loader.
func NewCatalog(types []*DocType) *Catalog {
	c := &Catalog{types: append([]*DocType(nil), types...), byID: make(map[string]*DocType, len(types))}
	sort.Slice(c.types, func(i, j int) bool { return c.types[i].ID < c.types[j].ID })
	for _, t := range c.types {
		t.Index()
		c.byID[t.ID] = t
	}
	return c
}

// Types lists every type, sorted by id.
func (c *Catalog) Types() []*DocType { return c.types }

// Type returns the type with the given id or an ErrNotFound error.
func (c *Catalog) Type(id string) (*DocType, error) {
	if t, ok := c.byID[id]; ok {
		return t, nil
	}
	return nil, Errorf(ErrNotFound, "No existe el tipo de documento «%s»; consulte la lista con «legajo types».", printable(id))
}
