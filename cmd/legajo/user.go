package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/web"
)

// runUser manages accounts: add, passwd, disable, enable, token, list.
func (m *Main) runUser(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usagef("want add, passwd, disable, enable, token or list")
	}
	sub, args := args[0], args[1:]
	fs := m.flags("user " + sub)
	name := fs.String("name", "", "full name (add)")
	role := fs.String("role", "", "capturista, consulta, auditor or admin (add)")
	area := fs.String("area", "", "área (add)")
	service := fs.Bool("service", false, "a service account for the API (add)")
	stdin := fs.Bool("password-stdin", false, "read the password from standard input instead of generating one")
	asJSON := fs.Bool("json", false, "print as one JSON value (list)")
	var pos []string
	var err error
	if sub == "list" {
		err = parse(fs, args)
	} else {
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
				out[i] = map[string]any{"login": u.Login, "name": u.Name, "role": u.Role, "area": u.Area, "disabled": u.Disabled, "service": u.Service}
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
	// one shown once.
	setPassword := func(u *legajo.User) error {
		pw := randomPassword()
		if *stdin {
			line, err := bufio.NewReader(os.Stdin).ReadString('\n')
			if err != nil && err != io.EOF {
				return err
			}
			pw = strings.TrimRight(line, "\r\n")
		}
		var err error
		if u.PasswordHash, err = web.HashPassword(pw); err != nil {
			return err
		}
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
	case "token":
		token = login + "." + randomPassword() + randomPassword()
		u.TokenHashes = append(u.TokenHashes, web.TokenHash(token))
	default:
		return usagef("unknown user command %q", sub)
	}
	u.UpdatedAt, u.UpdatedBy = m.Now().UTC(), "cli:"+m.author("")
	if _, err := a.archive.SaveUser(ctx, u); err != nil {
		return err
	}
	switch {
	case shown != "":
		fmt.Fprintf(m.Stdout, "Usuario «%s»: contraseña de un solo uso (anótela; no se volverá a mostrar):\n    %s\n", login, shown)
	case token != "":
		fmt.Fprintf(m.Stdout, "Token de API para «%s» (cópielo; no se volverá a mostrar):\n    %s\n", login, token)
	default:
		fmt.Fprintf(m.Stdout, "Usuario «%s» guardado.\n", login)
	}
	return nil
}
