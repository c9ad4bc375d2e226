package main

import (
	"context"
	"net/http"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// newAdminPassword is what the browser tests choose on the first login.
const newAdminPassword = "una-contraseña-nueva-2026"

// firstLogin logs in as the first administrator with the one-time
// password, which must be changed before anything else, and changes it.
func firstLogin(t *testing.T, ctx context.Context, base, oneTime string) {
	t.Helper()
	step(t, ctx, "first-login",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(field("usuario")),
		chromedp.SendKeys(field("usuario"), "admin"),
		chromedp.SendKeys(field("contrasena"), oneTime),
		chromedp.Submit(field("contrasena")),
		chromedp.WaitVisible(`//h1[text()="Mi cuenta"]`),
		chromedp.WaitVisible(`//strong[text()="Su contraseña es provisional:"]`),
	)
	step(t, ctx, "change-password",
		chromedp.SendKeys(field("actual"), oneTime),
		chromedp.SendKeys(field("nueva"), newAdminPassword),
		chromedp.SendKeys(field("confirmacion"), newAdminPassword),
		chromedp.Submit(field("confirmacion")),
		chromedp.WaitVisible(`//p[starts-with(text(), "Contraseña cambiada.")]`),
	)
}

// TestBrowserFirstLogin: the first administrator's one-time password
// leads only to «Mi cuenta» until it is changed; after logging out, a copy
// of the session cookie kept from before opens nothing.
func TestBrowserFirstLogin(t *testing.T) {
	ctx := browser(t)
	base, pw := startServer(t, map[string]string{"LEGAJO_DATA": t.TempDir()})
	step(t, ctx, "login",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(field("usuario")),
		chromedp.SendKeys(field("usuario"), "admin"),
		chromedp.SendKeys(field("contrasena"), pw),
		chromedp.Submit(field("contrasena")),
		chromedp.WaitVisible(`//h1[text()="Mi cuenta"]`),
	)
	step(t, ctx, "nothing-else-first",
		chromedp.Navigate(base+"/buscar"),
		chromedp.WaitVisible(`//h1[text()="Mi cuenta"]`),
		chromedp.WaitVisible(`//strong[text()="Su contraseña es provisional:"]`),
	)
	step(t, ctx, "change",
		chromedp.SendKeys(field("actual"), pw),
		chromedp.SendKeys(field("nueva"), newAdminPassword),
		chromedp.SendKeys(field("confirmacion"), newAdminPassword),
		chromedp.Submit(field("confirmacion")),
		chromedp.WaitVisible(`//p[starts-with(text(), "Contraseña cambiada.")]`),
		chromedp.WaitVisible(`//h2[text()="Sesiones abiertas"]`),
		chromedp.WaitVisible(`//strong[text()="Esta sesión"]`),
	)
	step(t, ctx, "free",
		chromedp.Navigate(base+"/buscar"),
		chromedp.WaitVisible(`//h1[text()="Buscar en el archivo"]`),
	)
	cookies := value(t, ctx, "cookies", func(ctx context.Context, tg *chromedp.Target) ([]*network.Cookie, error) {
		res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{base}})
		return res.Cookies, err
	})
	var saved *http.Cookie
	for _, c := range cookies {
		if c.Name == "legajo_sesion" {
			saved = &http.Cookie{Name: c.Name, Value: c.Value}
		}
	}
	if saved == nil {
		t.Fatal("no session cookie in the browser")
	}
	replay := func(path string) int {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.AddCookie(saved)
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := replay("/buscar"); code != http.StatusOK {
		t.Fatalf("the copied cookie before logging out: %d", code)
	}
	step(t, ctx, "logout",
		chromedp.Click(`//button[text()="Salir"]`),
		chromedp.WaitVisible(`//h1[text()="Iniciar sesión"]`),
	)
	if code := replay("/buscar"); code != http.StatusSeeOther {
		t.Errorf("the old cookie after logging out: %d, want a redirect to the login page", code)
	}
	if code := replay("/api/v1/tipos"); code != http.StatusUnauthorized {
		t.Errorf("the old cookie on the API after logging out: %d, want 401", code)
	}
	step(t, ctx, "old-password",
		chromedp.SendKeys(field("usuario"), "admin"),
		chromedp.SendKeys(field("contrasena"), pw),
		chromedp.Submit(field("contrasena")),
		chromedp.WaitVisible(`//p[text()="Usuario o contraseña incorrectos."]`),
	)
	step(t, ctx, "new-password",
		chromedp.SetValue(field("usuario"), "admin"),
		chromedp.SendKeys(field("contrasena"), newAdminPassword),
		chromedp.Submit(field("contrasena")),
		chromedp.WaitVisible(`//h1[text()="Inicio"]`),
	)
}
