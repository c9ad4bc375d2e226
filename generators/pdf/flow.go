package pdf

// The body and the closing block of a document are laid out in two passes:
// first every piece is measured into an item (a paragraph line, a table row,
// a signature row, a space), then the items are paginated, then drawn. Only
// measuring ahead lets the pagination rules look forward: a paragraph never
// leaves a single line at the bottom or the top of a page, a heading stays
// with what it heads, a table never leaves one row alone, and the closing
// block (ATENTAMENTE, signatures, c.c.p., acuse) always shares its page
// with the end of the body, so no page of signatures can be detached and
// swapped.

// item is one unbreakable piece of the flow.
type item struct {
	h float64 // natural height
	// shrink is how much of h may be given up on a tight page: only
	// spaces shrink, so the closing block can stay with the body.
	shrink float64
	// glue marks a space: it is dropped at the top of a page.
	glue bool
	// keep forbids a page break between this item and the next.
	keep bool
	// draw draws the item at y with height h (h less any shrink); nil
	// for spaces.
	draw func(y, h float64)
	// table, when set, is the table this row continues: a page that
	// starts with the row repeats the table's caption and header first.
	table *tableHead
	rec   placed
}

// tableHead draws a table's continuation caption and header.
type tableHead struct {
	h, capH float64 // in all, and of the caption above the header
	draw    func(y float64)
	rec     placed // of the caption
}

// placed is one entry of the layout log: what was drawn where. Tests read
// the log to check the pagination rules on every document instead of by
// eye.
type placed struct {
	Page int     // 1-based
	Y, H float64 // millimetres from the top of the page
	Kind string  // see the kind constants
	// Block is the index of the body block the item comes from, -1 for
	// the head and the closing block.
	Block int
	// Part numbers the item within its block: the paragraph of a text
	// (Part) and its line (Line, of Lines), or the table row (Line, of
	// Lines; the header is line 0).
	Part, Line, Lines int
	Text              string // the caption of a table continuation
}

// Kinds of log entries.
const (
	kindTitle    = "title"
	kindHeading  = "heading"
	kindLine     = "line" // a line of body text
	kindGrid     = "grid" // a row of a label/value grid
	kindCaption  = "caption"
	kindHeader   = "header" // a table's header row
	kindRow      = "row"    // a table row
	kindClosing  = "closing"
	kindSign     = "signatures"
	kindCopies   = "copies"
	kindAcuse    = "acuse"
	kindReserved = "reserved" // room kept so every tanto breaks alike
)

// IsBody tells whether a log entry is body content: what the closing
// block must not be left without.
func (pl placed) IsBody() bool {
	switch pl.Kind {
	case kindLine, kindGrid, kindRow:
		return pl.Block >= 0
	}
	return false
}

// gap returns a space item of h that may shrink to h−shrink.
func gap(h, shrink float64) item {
	return item{h: h, shrink: shrink, glue: true}
}

// flow paginates items from the current position and draws them, adding
// pages as needed.
func (p *page) flow(items []item) {
	f := p.f
	auto, bottom := f.GetAutoPageBreak()
	f.SetAutoPageBreak(false, bottom)
	defer f.SetAutoPageBreak(auto, bottom)
	limit := pageH - bottom
	pages := paginate(items, f.GetY(), bodyTop, limit)
	for i, pg := range pages {
		if i > 0 {
			f.AddPage()
		}
		y := pg.y
		if pg.head != nil {
			pg.head.draw(y)
			rec := pg.head.rec
			rec.Page, rec.Y, rec.H = f.PageNo(), y, pg.head.capH
			p.log = append(p.log, rec)
			rec.Kind, rec.Text, rec.Y, rec.H = kindHeader, "", y+pg.head.capH, pg.head.h-pg.head.capH
			p.log = append(p.log, rec)
			y += pg.head.h
		}
		for _, it := range pg.items {
			h := it.h - it.shrink*pg.ratio
			if it.draw != nil {
				it.draw(y, h)
			}
			if it.rec.Kind != "" {
				rec := it.rec
				rec.Page, rec.Y, rec.H = f.PageNo(), y, h
				p.log = append(p.log, rec)
			}
			y += h
		}
		f.SetXY(marginL, y)
	}
}

// pageOf is the items one page holds.
type pageOf struct {
	y     float64 // where the first item starts
	head  *tableHead
	items []*item
	ratio float64 // share of every item's shrink given up on this page
}

// paginate decides the page of every item. Items joined by keep form a
// group that moves to the next page whole; a group taller than a page is
// broken where it must. When a group misses by less than the page's spaces
// can give, the spaces shrink instead.
func paginate(items []item, y0, top, limit float64) []pageOf {
	pages := []pageOf{{y: y0}}
	cur := &pages[0]
	y := y0
	shrinkable := 0.0
	newPage := func(next *item) {
		pages = append(pages, pageOf{y: top})
		cur = &pages[len(pages)-1]
		y = top
		shrinkable = 0
		if next != nil && next.table != nil && !next.glue {
			cur.head = next.table
			y += next.table.h
		}
	}
	for i := 0; i < len(items); {
		j := i
		for j < len(items)-1 && items[j].keep {
			j++
		}
		group := items[i : j+1]
		if len(cur.items) == 0 {
			// a page starts with content, not space
			for len(group) > 0 && group[0].glue {
				group = group[1:]
			}
			if len(group) == 0 {
				i = j + 1
				continue
			}
			if cur.head == nil && len(pages) > 1 && group[0].table != nil {
				cur.head = group[0].table
				y += group[0].table.h
			}
		}
		gh, gs := 0.0, 0.0
		for k := range group {
			gh += group[k].h
			gs += group[k].shrink
		}
		switch {
		case y+gh <= limit+0.01:
		case y+gh-(shrinkable+gs) <= limit+0.01:
			cur.ratio = (y + gh - limit) / (shrinkable + gs)
		case len(cur.items) == 0 || gh > limit-top:
			// Taller than a page: fill this page and break where the
			// group overflows.
			for k := range group {
				it := &group[k]
				if len(cur.items) > 0 && y+it.h > limit+0.01 {
					newPage(it)
					if it.glue {
						continue
					}
				}
				cur.items = append(cur.items, it)
				y += it.h
				shrinkable += it.shrink
			}
			i = j + 1
			continue
		default:
			newPage(&group[0])
			continue
		}
		for k := range group {
			cur.items = append(cur.items, &group[k])
		}
		y += gh
		shrinkable += gs
		if cur.ratio > 0 {
			// the page is full
			i = j + 1
			if i < len(items) {
				newPage(&items[i])
			}
			continue
		}
		i = j + 1
	}
	return pages
}

// fontState is the font the body last selected.
type fontState struct {
	style string
	size  float64
	ok    bool
}

// setFont selects a font unless it is the current one: fpdf writes a font
// change to the page for every call, and the body selects one per line and
// per cell. Pages added in between keep the font (fpdf restores it after
// the header); body resets the state, since the head selects fonts
// directly.
func (p *page) setFont(style string, size float64) {
	if p.fs.ok && p.fs.style == style && p.fs.size == size {
		return
	}
	p.font(style, size)
	p.fs = fontState{style, size, true}
}
