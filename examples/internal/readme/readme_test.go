package readme

import (
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// preamble is what every snippet may take as given.
const preamble = `package snippets

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"os"
	"time"

	"github.com/ordertrack/ordertrack/bailun"
	"github.com/ordertrack/ordertrack/birdsystem"
	"github.com/ordertrack/ordertrack/birdsystem/birdsystemtest"
	"github.com/ordertrack/ordertrack/flowery"
	"github.com/ordertrack/ordertrack/flowery/flowerytest"
	"github.com/ordertrack/ordertrack/reseller"
	"github.com/ordertrack/ordertrack/status"
	"github.com/ordertrack/ordertrack/status/watch"
	"github.com/ordertrack/ordertrack/status/watch/pgstore"
	"github.com/ordertrack/ordertrack/status/watch/sqlitestore"
	"github.com/ordertrack/ordertrack/wire"
	"database/sql"
)

var (
	ctx     context.Context
	bl, fl  status.Tracker
	tracker status.Tracker
	logger  *slog.Logger
	o       *bailun.OrderStatusOutput
	c       *bailun.Client
	ref     string
	refs    []string
	token   string
	_       = errors.Is
	_       = fmt.Sprint
	_       = flowerytest.NewServer
	_       = log.Println
	_       = os.Getenv
	_       = time.Now
	_       bailun.Config
	_       birdsystem.Config
	_       = birdsystemtest.NewServer
	_       flowery.Config
	_       reseller.Config
	_       wire.Secret
	_       = watch.New
	_       = sqlitestore.Open
	_       = pgstore.Open
	_       = sql.Open
)
`

// exports finds the compiled export data of the module's packages and
// everything they import, with go list, for the type checker.
func exports(t *testing.T) func(path string) (io.ReadCloser, error) {
	pkgs := []string{"context", "errors", "fmt", "log", "log/slog", "os", "time", "github.com/ordertrack/ordertrack/..."}
	out, err := exec.Command("go", append([]string{"list", "-export", "-deps", "-f", "{{.ImportPath}}={{.Export}}"}, pkgs...)...).Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	files := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		if path, file, ok := strings.Cut(line, "="); ok && file != "" {
			files[path] = file
		}
	}
	return func(path string) (io.ReadCloser, error) {
		file, ok := files[path]
		if !ok {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(file)
	}
}

var goBlock = regexp.MustCompile("(?s)```go\n(.*?)```")

// Every Go snippet of the README compiles against the module as it is: each
// is type-checked as the body of a function, with ctx, the trackers bl, fl
// and tracker, logger, a bailun client c and its answer o, ref, refs and a
// token given. Unused names are allowed: a snippet shows
// a call, not a program.
func TestReadmeSnippetsCompile(t *testing.T) {
	readme, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := goBlock.FindAllStringSubmatch(string(readme), -1)
	if len(blocks) < 5 {
		t.Fatalf("only %d Go snippets found", len(blocks))
	}
	var src strings.Builder
	src.WriteString(preamble)
	for i, b := range blocks {
		src.WriteString("\nfunc snippet" + string(rune('A'+i)) + "() error {\n" + b[1] + "\nreturn nil\n}\n")
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "snippets.go", src.String(), parser.ParseComments)
	if err != nil {
		t.Fatalf("a snippet does not parse: %v", err)
	}
	var errs []string
	conf := types.Config{Importer: importer.ForCompiler(fset, "gc", exports(t)), Error: func(err error) {
		msg := err.Error()
		if strings.Contains(msg, "declared and not used") || strings.Contains(msg, "imported and not used") {
			return
		}
		errs = append(errs, msg)
	}}
	_, _ = conf.Check("snippets", fset, []*ast.File{f}, nil)
	for _, e := range errs {
		t.Error(e)
	}
}
