package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/web"
)

// runUser manages accounts: add, passwd, disable, enable, logout, list,
// grant and ungrant (restricted expedientes read in full), and API tokens
// (token new, token list, token revoke).
func (m *Main) runUser(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usagef("want add, passwd, disable, enable, logout, grant, ungrant, token or list")
	}
	sub, args := args[0], args[1:]
	if sub == "token" {
		if len(args) == 0 {
			return usagef("want token new, token list or token revoke")
		}
		sub, args = "token "+args[0], args[1:]
	}
	fs := m.flags("user " + sub)
	name := fs.String("name", "", "full name (add)")
	role := fs.String("role", "", "capturista, consulta, auditor or admin (add)")
	area := fs.String("area", "", "área (add)")
	service := fs.Bool("service", false, "a service account for the API (add)")
	stdin := fs.Bool("password-stdin", false, "read the password from standard input instead of generating one")
	label := fs.String("label", "", "what the token is for (token new)")
	asJSON := fs.Bool("json", false, "print as one JSON value (list, token new, token list)")
	var pos []string
	var err error
	switch sub {
	case "list":
		err = parse(fs, args)
	case "token revoke":
		pos, err = parsePositional(fs, args, 2, "<login> <token id>")
	case "grant", "ungrant":
		pos, err = parsePositional(fs, args, 2, "<login> <expediente>")
	default:
		pos, err = parsePositional(fs, args, 1, "<login>")
	}
	if err != nil {
		return err
	}
	a, err := m.openApp(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	if sub == "list" {
		users, err := a.archive.Users(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			out := make([]map[string]any, len(users))
			for i, u := range users { // never the hashes
				out[i] = map[string]any{"login": u.Login, "name": u.Name, "role": u.Role, "area": u.Area, "disabled": u.Disabled,
					"service": u.Service, "granted": u.Granted, "tokens": len(u.Tokens), "sessions": len(u.OpenSessions(m.Now()))}
			}
			return m.printJSON(out)
		}
		for _, u := range users {
			state := "activo"
			if u.Disabled {
				state = "desactivado"
			}
			fmt.Fprintf(m.Stdout, "%-16s %-11s %-11s %s\n", u.Login, u.Role, state, u.Name)
		}
		return nil
	}
	login := strings.ToLower(pos[0])
	var shown, token string
	// setPassword gives u the password read from standard input, or a new
	// one shown once. Either way someone other than its owner chose it: the
	// owner must change it at the next login. Every session and API token
	// of the account ends.
	setPassword := func(u *legajo.User) error {
		pw := randomPassword()
		if *stdin {
			line, err := bufio.NewReader(os.Stdin).ReadString('\n')
			if err != nil && err != io.EOF {
				return err
			}
			pw = strings.TrimRight(line, "\r\n")
		}
		h, err := web.HashPassword(pw)
		if err != nil {
			return err
		}
		u.SetPassword(h, !u.Service, "")
		if !*stdin {
			shown = pw
		}
		return nil
	}
	var u legajo.User
	if sub != "add" {
		if u, err = a.archive.User(ctx, login); err != nil {
			return err
		}
	}
	by := "cli:" + m.author("")
	switch sub {
	case "add":
		if *name == "" || *role == "" {
			return usagef("--name and --role are required")
		}
		u = legajo.User{Login: login, Name: *name, Role: legajo.Role(*role), Area: *area, Service: *service}
		if !*service {
			if err := setPassword(&u); err != nil {
				return err
			}
		}
	case "passwd":
		if err := setPassword(&u); err != nil {
			return err
		}
	case "disable", "enable":
		u.Disabled = sub == "disable"
		if u.Disabled {
			u.Sessions = nil
		}
	case "logout":
		u.Sessions = nil
	case "grant", "ungrant":
		// Whom an administrator lets read a reservada or confidencial
		// expediente in full.
		e, err := a.archive.Expediente(pos[1])
		if err != nil {
			return err
		}
		if !e.Restricted() {
			return legajo.Errorf(legajo.ErrInvalid, "El expediente «%s» es %s: todos lo consultan.", e.ID, e.Acceso)
		}
		u.Granted = slices.DeleteFunc(u.Granted, func(g string) bool { return g == e.ID })
		if sub == "grant" {
			u.Granted = append(u.Granted, e.ID)
		}
	case "token new":
		var t legajo.Token
		token, t = web.NewToken(login, *label, by, m.Now())
		u.Tokens = append(u.Tokens, t)
	case "token list":
		if *asJSON {
			out := make([]map[string]any, len(u.Tokens))
			for i, t := range u.Tokens { // never the hashes
				out[i] = map[string]any{"id": t.ID, "label": t.Label, "created": t.Created, "created_by": t.CreatedBy}
			}
			return m.printJSON(out)
		}
		for _, t := range u.Tokens {
			created := "fecha desconocida"
			if !t.Created.IsZero() {
				created = t.Created.Format("2006-01-02 15:04")
			}
			fmt.Fprintf(m.Stdout, "%-12s  %-16s  %-14s  %s\n", t.ID, created, t.CreatedBy, t.Label)
		}
		return nil
	case "token revoke":
		if !u.RevokeToken(pos[1]) {
			return legajo.Errorf(legajo.ErrNotFound, "La cuenta «%s» no tiene el token %s.", login, pos[1])
		}
	default:
		return usagef("unknown user command %q", sub)
	}
	u.UpdatedAt, u.UpdatedBy = m.Now().UTC(), by
	if _, err := a.archive.SaveUser(ctx, u); err != nil {
		return err
	}
	switch {
	case sub == "token new" && *asJSON:
		t := u.Tokens[len(u.Tokens)-1]
		return m.printJSON(map[string]any{"login": login, "id": t.ID, "label": t.Label, "token": token})
	case shown != "":
		fmt.Fprintf(m.Stdout, "Usuario «%s»: contraseña de un solo uso (anótela; no se volverá a mostrar; se pedirá cambiarla al entrar):\n    %s\n", login, shown)
	case token != "":
		fmt.Fprintf(m.Stdout, "Token de API %s para «%s» (cópielo; no se volverá a mostrar):\n    %s\n", u.Tokens[len(u.Tokens)-1].ID, login, token)
	default:
		fmt.Fprintf(m.Stdout, "Usuario «%s» guardado.\n", login)
	}
	return nil
}
