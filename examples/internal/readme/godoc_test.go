package readme

import (
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// Every package reads cleanly in go doc: each exported function, method
// and type has a doc comment that starts with its name (a sentence about
// it, never one glued on from the code above it), and no exported
// variable shows its code (a function literal) as its value.
func TestGoDocReadsCleanly(t *testing.T) {
	root := "../../.."
	err := filepath.WalkDir(root, func(dir string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if name := d.Name(); dir != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "examples" || name == "internal") {
			return filepath.SkipDir
		}
		fset := token.NewFileSet()
		names, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			return err
		}
		var files []*ast.File
		for _, name := range names {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
			if err != nil {
				return err
			}
			files = append(files, f)
		}
		if len(files) == 0 {
			return nil
		}
		p, err := doc.NewFromFiles(fset, files, dir)
		if err != nil {
			return err
		}
		checkPackage(t, fset, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func checkPackage(t *testing.T, fset *token.FileSet, p *doc.Package) {
	t.Helper()
	starts := func(what, name, text string) {
		if text == "" {
			t.Errorf("%s.%s %s has no doc comment", p.Name, name, what)
			return
		}
		first := strings.Fields(text)[0]
		if first != name && !(first == "A" || first == "An" || first == "The") {
			t.Errorf("%s.%s: its doc comment starts %q, not with its name:\n%s", p.Name, name, first, text)
		}
	}
	funcs := func(fs []*doc.Func, recv string) {
		for _, f := range fs {
			if ast.IsExported(f.Name) {
				starts("func", recv+f.Name, f.Doc)
			}
		}
	}
	funcs(p.Funcs, "")
	for _, ty := range p.Types {
		if !ast.IsExported(ty.Name) {
			continue
		}
		starts("type", ty.Name, ty.Doc)
		funcs(ty.Funcs, "")
		for _, m := range ty.Methods {
			if ast.IsExported(m.Name) && !strings.HasPrefix(m.Doc, m.Name) {
				t.Errorf("%s.%s.%s: its doc comment does not start with its name:\n%s", p.Name, ty.Name, m.Name, m.Doc)
			}
		}
	}
	vars := append([]*doc.Value{}, p.Vars...)
	for _, ty := range p.Types {
		vars = append(vars, ty.Vars...)
	}
	for _, v := range vars {
		ast.Inspect(v.Decl, func(n ast.Node) bool {
			if _, ok := n.(*ast.FuncLit); ok {
				t.Errorf("%s: go doc prints the code of a function literal in var %s", p.Name, fset.Position(n.Pos()))
				return false
			}
			return true
		})
	}
}
