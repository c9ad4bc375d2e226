package legajo

// Documents are printed with the PDF standard fonts in Windows-1252, which
// covers Spanish entirely (á é í ó ú ü ñ ¿ ¡ « » — …). Validation refuses
// anything else so that no character silently turns into a '?' on a signed
// document.

// cp1252High maps the runes of Windows-1252's 0x80–0x9F range to their bytes.
var cp1252High = map[rune]byte{
	'€': 0x80, '‚': 0x82, 'ƒ': 0x83, '„': 0x84, '…': 0x85, '†': 0x86, '‡': 0x87,
	'ˆ': 0x88, '‰': 0x89, 'Š': 0x8A, '‹': 0x8B, 'Œ': 0x8C, 'Ž': 0x8E,
	'‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '•': 0x95, '–': 0x96, '—': 0x97,
	'˜': 0x98, '™': 0x99, 'š': 0x9A, '›': 0x9B, 'œ': 0x9C, 'ž': 0x9E, 'Ÿ': 0x9F,
}

// CP1252 returns the Windows-1252 byte for r, or false when r cannot be
// printed.
func CP1252(r rune) (byte, bool) {
	switch {
	case r == '\n' || r == '\t':
		return byte(r), true
	case r >= 0x20 && r < 0x7F, r >= 0xA0 && r <= 0xFF:
		return byte(r), true
	}
	b, ok := cp1252High[r]
	return b, ok
}
