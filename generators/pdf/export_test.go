package pdf

// NewFpdfCompressed returns a Renderer that lets fpdf compress, for the
// benchmark comparing it with compressStreams.
func NewFpdfCompressed() *Renderer { return &Renderer{fpdfCompression: true} }
