// Command flowweb builds flowviz's web page and serves it for a try:
//
//	flowweb build [-o bin/web] [-ldflags '...']   index.html, wasm_exec.js, flowviz.wasm(.gz)
//	flowweb serve [-dir bin/web] [-addr localhost:8080]
//
// The built folder is a static site: any static host (a course page,
// GitHub Pages) serves it as it is.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/flowviz/flowviz/cmd/internal/website"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `usage:
  flowweb build [-o DIR] [-ldflags FLAGS]   build the page into DIR (bin/web)
  flowweb serve [-dir DIR] [-addr ADDR]     serve DIR on ADDR (localhost:8080) until Ctrl+C
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	fs := flag.NewFlagSet("flowweb "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	switch args[0] {
	case "build":
		out := fs.String("o", "bin/web", "folder to build the site into")
		ldflags := fs.String("ldflags", "", "more -ldflags for the wasm build (after -s -w)")
		if err := parse(fs, args[1:], stderr); err != nil {
			return 2
		}
		if err := website.Build(ctx, *out, website.Options{LDFlags: *ldflags, Stdout: stderr}); err != nil {
			fmt.Fprintln(stderr, "flowweb:", err)
			return 1
		}
		return report(stdout, *out)
	case "serve":
		dir := fs.String("dir", "bin/web", "folder holding the built site")
		addr := fs.String("addr", "localhost:8080", "address to listen on")
		if err := parse(fs, args[1:], stderr); err != nil {
			return 2
		}
		err := website.Serve(ctx, *dir, *addr, func(url string) {
			fmt.Fprintf(stdout, "flowweb: serving %s on %s (Ctrl+C stops)\n", *dir, url)
		})
		if err != nil {
			fmt.Fprintln(stderr, "flowweb:", err)
			return 1
		}
		return 0
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "flowweb: unknown command %q\n%s", args[0], usage)
	return 2
}

func parse(fs *flag.FlagSet, args []string, stderr io.Writer) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "flowweb: unexpected argument %q\n", fs.Arg(0))
		return errors.New("usage")
	}
	return nil
}

// report prints the sizes of the built wasm, raw and gzipped.
func report(stdout io.Writer, dir string) int {
	for _, f := range []string{website.Wasm, website.WasmGz} {
		st, err := os.Stat(dir + "/" + f)
		if err != nil {
			fmt.Fprintln(stdout, "flowweb:", err)
			return 1
		}
		fmt.Fprintf(stdout, "  %s/%s  %.1f MB\n", dir, f, float64(st.Size())/1e6)
	}
	return 0
}
