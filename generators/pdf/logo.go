package pdf

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	_ "image/jpeg" // decode a logo to check its colour model
	"image/png"
)

// opaqueLogo returns the logo as it can go into a PDF/A document: PDF/A
// forbids transparency (fpdf would give a PNG with alpha a soft mask) and,
// with an sRGB output intent, CMYK colour; fpdf reads no interlaced PNG.
// A PNG is therefore always flattened onto white and written again as an
// 8-bit RGB PNG, and so is a CMYK JPEG, once, when the
// Renderer is made; any other JPEG is used as it is.
func opaqueLogo(logo []byte) (data []byte, kind string, err error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(logo))
	if err != nil || (format != "png" && format != "jpeg") {
		return nil, "", fmt.Errorf("pdf: logo is neither PNG nor JPEG")
	}
	img, _, err := image.Decode(bytes.NewReader(logo))
	if err != nil {
		return nil, "", fmt.Errorf("pdf: logo: %w", err)
	}
	if format == "jpeg" && cfg.ColorModel != color.CMYKModel {
		return logo, "JPG", nil
	}
	flat := image.NewRGBA(img.Bounds())
	draw.Draw(flat, flat.Bounds(), image.White, image.Point{}, draw.Src)
	draw.Draw(flat, flat.Bounds(), img, img.Bounds().Min, draw.Over)
	var b bytes.Buffer
	if err := png.Encode(&b, flat); err != nil { // opaque RGBA is written as RGB
		return nil, "", fmt.Errorf("pdf: logo: %w", err)
	}
	return b.Bytes(), "PNG", nil
}
