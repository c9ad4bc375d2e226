// Command legajo issues, files and finds the official documents of SESVER's
// Departamento de Tecnologías de la Información. See README.md and the
// command-line contract in DESIGN.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // documents are dated in Mexico's time whatever the host has

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/metrics"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	m := NewMain()
	code := m.Run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

// Main is the program, as a value the end-to-end tests can run with their
// own output, environment and clock.
type Main struct {
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	Now    func() time.Time

	// restoring: the archive is being filled from a backup, so no signing
	// key is made for it (the backup was signed with the institution's).
	restoring bool
	// sweepEvery, when set, is how often serve looks for plazos passed
	// instead of caseSweepEvery: the end-to-end tests move the clock (Now)
	// and want the aviso within a second.
	sweepEvery time.Duration
	// metrics, while serving with LEGAJO_METRICS_ADDR: the archive's
	// storage calls and emissions are observed (see openApp).
	metrics *metrics.Registry
}

// NewMain returns a Main wired to the process.
func NewMain() *Main {
	return &Main{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Now: time.Now}
}

// command is one subcommand: it parses its own flags and returns an error;
// usage errors are errUsage.
type command struct {
	summary string
	run     func(m *Main, ctx context.Context, args []string) error
}

var commands = map[string]command{
	"types":      {"list the document types and their fields", (*Main).runTypes},
	"render":     {"render a document's tantos as PDF files, without filing them", (*Main).runRender},
	"demo":       {"render every sample document into a folder", (*Main).runDemo},
	"emit":       {"issue a document: folio, tantos, filing", (*Main).runEmit},
	"acuse":      {"file the signed acuse of a document", (*Main).runAcuse},
	"cancel":     {"cancel a document, with a reason", (*Main).runCancel},
	"attach":     {"attach a file to a document", (*Main).runAttach},
	"receive":    {"register incoming correspondence with its scan", (*Main).runReceive},
	"show":       {"show a document's record and events", (*Main).runShow},
	"list":       {"list an expediente's events in order", (*Main).runList},
	"verify":     {"re-check every chain, object, the signed log and the folio series; exit 1 on any problem", (*Main).runVerify},
	"key":        {"print the institution's public key (a signed-note verifier key)", (*Main).runKey},
	"audit":      {"check a bundle PDF's signed checkpoint and inclusion proofs with the public key alone", (*Main).runAudit},
	"checkpoint": {"print the newest signed checkpoint of the archive's log, for an auditor to keep", (*Main).runCheckpoint},
	"fsck":       {"record the leftovers of interrupted work", (*Main).runFsck},
	"search":     {"search the archive in Spanish, with filters and facets", (*Main).runSearch},
	"reindex":    {"rebuild the search index from the archive", (*Main).runReindex},
	"serve":      {"run the web application and API", (*Main).runServe},
	"backup":     {"copy the archive to a backup: only what it lacks, checked", (*Main).runBackup},
	"restore":    {"copy a backup into an empty archive", (*Main).runRestore},
	"tramites":   {"list the cases (trámites): open ones, all, or those overdue", (*Main).runCases},
	"user":       {"manage accounts: add, passwd, disable, enable, logout, grant, ungrant, list; token new|list|revoke", (*Main).runUser},

	"trail":      {"export an auditor's trail: xlsx, csv, json or one bundle pdf", (*Main).runTrail},
	"caratula":   {"print the carátula (cover sheet) of an expediente", (*Main).runCaratula},
	"inventario": {"write an inventario documental: general, transferencia or baja", (*Main).runInventario},
	"retencion":  {"list the expedientes whose vigencia has run out", (*Main).runRetencion},
	"registro":   {"the registries: list, search, export (XLSX, PDF), import, changes", (*Main).runRegistro},
	"telefonia":  {"import a carrier's monthly bill (CSV or XLSX) and print its analysis", (*Main).runTelephony},
}

// usageError marks bad usage: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// Run runs the command line args and returns the exit status: 0 success,
// 1 failure, 2 bad usage.
func (m *Main) Run(ctx context.Context, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		m.usage()
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(m.Stderr, "legajo: unknown command %q\n", args[0])
		m.usage()
		return 2
	}
	err := cmd.run(m, ctx, args[1:])
	var ue *usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(m.Stderr, "legajo %s: %s\n", args[0], ue.msg)
		return 2
	}
	m.printError(args[0], err)
	return 1
}

func (m *Main) printError(cmd string, err error) {
	var ve *legajo.ValidationError
	if errors.As(err, &ve) {
		fmt.Fprintf(m.Stderr, "legajo %s: los datos tienen %s:\n", cmd, legajo.Plural(len(ve.Problems), "problema", "problemas"))
		for _, p := range ve.Problems {
			fmt.Fprintf(m.Stderr, "  - %s\n", p.Message)
		}
		return
	}
	fmt.Fprintf(m.Stderr, "legajo %s: %v\n", cmd, err)
}

func (m *Main) usage() {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("usage: legajo <command> [flags]\n\ncommands:\n")
	for _, n := range names {
		fmt.Fprintf(&b, "  %-10s %s\n", n, commands[n].summary)
	}
	b.WriteString("\nRun 'legajo <command> -h' for its flags.\n")
	io.WriteString(m.Stderr, b.String())
}

// flags returns a FlagSet for a subcommand that reports to m.Stderr.
func (m *Main) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("legajo "+name, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	return fs
}

// parse parses args and refuses stray positional arguments.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usagef("%v", err)
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// parsePositional parses args allowing flags before and after the
// positional arguments, of which there must be exactly n.
func parsePositional(fs *flag.FlagSet, args []string, n int, names string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usagef("%v", err)
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(pos) != n {
		return nil, usagef("want %s", names)
	}
	return pos, nil
}
