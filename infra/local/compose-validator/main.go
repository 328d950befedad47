// Command compose-validator loads a Compose file the way `docker compose config` does, with the
// same library (compose-go): schema validation, interpolation, path resolution, normalization and
// the consistency checks. It prints the normalized model on success and exits 0; on failure it
// prints the loader's error, which names the offending key or service, and exits 1.
//
// It exists for machines whose docker client has no compose plugin (see infra/local/compose.ts).
//
//	compose-validator [--format yaml|json] COMPOSE_FILE [PROJECT_DIR]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	format := flag.String("format", "yaml", "output format: yaml or json")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: compose-validator [--format yaml|json] COMPOSE_FILE [PROJECT_DIR]")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() < 1 || flag.NArg() > 2 {
		flag.Usage()
		os.Exit(2)
	}
	file := flag.Arg(0)
	projectDir := filepath.Dir(file)
	if flag.NArg() == 2 {
		projectDir = flag.Arg(1)
	}

	out, err := render(context.Background(), file, projectDir, *format)
	if err != nil {
		// Most of compose-go's errors name the file already; the rest (a bad port) get it here.
		if strings.Contains(err.Error(), filepath.Base(file)) {
			fmt.Fprintln(os.Stderr, err)
		} else {
			fmt.Fprintf(os.Stderr, "%s: %v\n", file, err)
		}
		os.Exit(1)
	}
	if _, err := os.Stdout.Write(out); err != nil {
		fmt.Fprintf(os.Stderr, "writing the model: %v\n", err)
		os.Exit(1)
	}
}

// render loads file with the options `docker compose config` uses (docker/compose,
// cmd/compose/config.go) and marshals the resulting project.
func render(ctx context.Context, file, projectDir, format string) ([]byte, error) {
	if format != "yaml" && format != "json" {
		return nil, fmt.Errorf("unsupported format %q, want yaml or json", format)
	}
	options, err := cli.NewProjectOptions([]string{file},
		cli.WithWorkingDirectory(projectDir),
		cli.WithOsEnv,
		cli.WithDotEnv,
		cli.WithInterpolation(true),
		cli.WithResolvedPaths(true),
		cli.WithNormalization(true),
		cli.WithConsistency(true),
		cli.WithDiscardEnvFile,
	)
	if err != nil {
		return nil, err
	}
	project, err := options.LoadProject(ctx)
	if err != nil {
		return nil, err
	}
	if project.Name == "" {
		return nil, errors.New("project name can't be empty: name the project with a top-level `name:` key")
	}
	if project, err = project.WithServicesEnvironmentResolved(true); err != nil {
		return nil, err
	}
	if err := project.CheckContainerNameUnicity(); err != nil {
		return nil, err
	}
	if format == "json" {
		return project.MarshalJSON()
	}
	return project.MarshalYAML()
}
