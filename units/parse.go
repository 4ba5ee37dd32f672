package units

import (
	"cmp"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/yamlfile"
)

// Limits of the units file. A real one is a few kilobytes.
const (
	MaxFileSize = 1 << 20
	MaxNameLen  = 200 // characters, after NFC
)

// Error is one problem in a units file. Its text is "file:line: message",
// the form editors and terminals jump to.
type Error = yamlfile.Error

// ParseFile reads the units file at path; see Parse.
func ParseFile(path string) ([]storage.UnitSpec, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read units file: %w", err)
	}
	defer f.Close()
	return Parse(f, path)
}

// Parse reads a units file from r; name is the file name used in errors.
// It returns the units parents first, siblings in file order: the display
// order, and the order storage.ApplyUnits needs. The file is checked whole
// before anything is returned; every problem found is reported, each as an
// *Error carrying its line, joined with errors.Join.
//
// The format (see examples/mongcai/units.yaml):
//
//	units:
//	  - code: mongcai            # required: 1–40 of a-z 0-9 -, not starting with -
//	    name: Thành phố Móng Cái # required: text, at most 200 characters
//	    kind: city               # required: a-z 0-9 -, starting with a letter
//	    visibility: public       # public or restricted; restricted if left out
//	    children:                # optional: the units right below this one
//	      - code: p-tra-co
//	        ...
//	  - code: other-root
//	    parent: mongcai          # a top-level unit may name its parent instead
//
// Codes are unique in the file, a parent given with parent: must be in the
// file, and parents may not form a cycle.
func Parse(r io.Reader, name string) ([]storage.UnitSpec, error) {
	f, root, err := yamlfile.Read(r, name, MaxFileSize, "it needs a list of units under the key units:")
	if err != nil {
		return nil, fmt.Errorf("read units file: %w", err)
	}
	if root == nil {
		return nil, f.Err()
	}
	p := &parser{File: f, codes: make(map[string]*spec)}
	p.document(root)
	if p.Count() == 0 {
		p.link()
	}
	if p.Count() > 0 {
		return nil, p.Err()
	}
	return p.ordered(), nil
}

// spec is a unit while the file is read.
type spec struct {
	storage.UnitSpec
	parentLine int   // line of parent:, 0 when nested or a root
	parent     *spec // resolved
	children   []*spec
}

type parser struct {
	*yamlfile.File
	specs []*spec // in file order
	codes map[string]*spec
}

func (p *parser) document(root *yaml.Node) {
	if root.Kind != yaml.MappingNode {
		p.Errorf(root.Line, "expected the key units: with a list of units")
		return
	}
	var list *yaml.Node
	p.Fields(root, "the file", func(key, value *yaml.Node) {
		switch key.Value {
		case "units":
			list = value
		default:
			p.Errorf(key.Line, "unknown key %q at the top: only units: is known", key.Value)
		}
	})
	if list == nil {
		p.Errorf(root.Line, "no units: key")
		return
	}
	if list.Kind != yaml.SequenceNode || len(list.Content) == 0 {
		p.Errorf(list.Line, "units: must be a non-empty list of units")
		return
	}
	p.list(list, nil)
}

// list reads a sequence of units whose parent is parent (nil at the top).
func (p *parser) list(seq *yaml.Node, parent *spec) {
	for _, item := range seq.Content {
		if item.Kind != yaml.MappingNode {
			p.Errorf(item.Line, "expected a unit (code:, name:, kind: …), found %s", yamlfile.Describe(item))
			continue
		}
		p.unit(item, parent)
	}
}

func (p *parser) unit(m *yaml.Node, parent *spec) {
	s := &spec{UnitSpec: storage.UnitSpec{Line: m.Line, Visibility: storage.Restricted}, parent: parent}
	if parent != nil {
		s.ParentCode = parent.Code
	}
	var children *yaml.Node
	var seenCode, seenName, seenKind bool
	p.Fields(m, "a unit", func(key, value *yaml.Node) {
		switch key.Value {
		case "code":
			s.Code, seenCode = p.Text(key, value), true
			if s.Code != "" && !storage.ValidUnitCode(s.Code) {
				p.Errorf(value.Line, "code %q: use 1 to 40 characters of a-z, 0-9 and -, not starting with -", s.Code)
			}
		case "name":
			s.Name, seenName = p.Prose(key, value, MaxNameLen, false), true
		case "kind":
			s.Kind, seenKind = p.Text(key, value), true
			if s.Kind != "" && !unitKind.MatchString(s.Kind) {
				p.Errorf(value.Line, "kind %q: use a short word of a-z, 0-9 and -, starting with a letter", s.Kind)
			}
		case "visibility":
			switch v := p.Text(key, value); v {
			case storage.Public, storage.Restricted:
				s.Visibility = v
			default:
				p.Errorf(value.Line, "visibility %q: use public or restricted", v)
			}
		case "parent":
			if parent != nil {
				p.Errorf(key.Line, "parent: inside children: the parent is the unit this one is listed under")
				return
			}
			s.ParentCode, s.parentLine = p.Text(key, value), key.Line
			if s.ParentCode == "" {
				s.parentLine = 0
			}
		case "children":
			switch value.Kind {
			case yaml.SequenceNode:
				children = value
			case yaml.ScalarNode:
				if value.Tag != "!!null" {
					p.Errorf(value.Line, "children: must be a list of units")
				}
			default:
				p.Errorf(value.Line, "children: must be a list of units")
			}
		default:
			p.Errorf(key.Line, "unknown key %q in a unit (known: code, name, kind, visibility, parent, children)", key.Value)
		}
	})
	for _, missing := range []struct {
		seen bool
		key  string
	}{{seenCode, "code"}, {seenName, "name"}, {seenKind, "kind"}} {
		if !missing.seen {
			p.Errorf(m.Line, "the unit has no %s:", missing.key)
		}
	}
	if s.Code != "" {
		if first, dup := p.codes[s.Code]; dup {
			p.Errorf(m.Line, "duplicate code %q: already used at line %d", s.Code, first.Line)
		} else {
			p.codes[s.Code] = s
		}
	}
	p.specs = append(p.specs, s)
	if children != nil {
		p.list(children, s)
	}
}

var unitKind = regexp.MustCompile(`^[a-z][a-z0-9-]{0,39}$`)

// link resolves parent: references and refuses unknown parents and cycles.
// Nested children are linked already and cannot form a cycle.
func (p *parser) link() {
	for _, s := range p.specs {
		if s.parent == nil && s.ParentCode != "" {
			parent, ok := p.codes[s.ParentCode]
			switch {
			case !ok:
				p.Errorf(s.parentLine, "unit %q: unknown parent %q", s.Code, s.ParentCode)
				continue
			case parent == s:
				p.Errorf(s.parentLine, "unit %q is its own parent", s.Code)
				continue
			}
			s.parent = parent
		}
	}
	if p.Count() > 0 {
		return
	}
	// Follow each chain of parents; a chain that comes back to a unit of
	// itself is a cycle, reported once at its first line in the file.
	const (
		unseen = iota
		onPath
		done
	)
	state := make(map[*spec]int, len(p.specs))
	for _, start := range p.specs {
		var path []*spec
		s := start
		for s != nil && state[s] == unseen {
			state[s] = onPath
			path = append(path, s)
			s = s.parent
		}
		if s != nil && state[s] == onPath {
			i := slices.Index(path, s)
			cycle := path[i:]
			first := slices.MinFunc(cycle, func(a, b *spec) int { return cmp.Compare(a.Line, b.Line) })
			var chain, lines []string
			for _, c := range cycle {
				chain = append(chain, c.Code)
				lines = append(lines, strconv.Itoa(c.Line))
			}
			chain = append(chain, cycle[0].Code)
			line := first.parentLine
			if line == 0 {
				line = first.Line
			}
			p.Errorf(line, "parents form a cycle: %s (each under the next; units at lines %s)",
				strings.Join(chain, " under "), strings.Join(lines, ", "))
		}
		for _, c := range path {
			state[c] = done
		}
	}
}

// ordered returns the units parents first: each root in file order, then
// the units below it depth first, siblings in file order.
func (p *parser) ordered() []storage.UnitSpec {
	for _, s := range p.specs {
		if s.parent != nil {
			s.parent.children = append(s.parent.children, s)
		}
	}
	out := make([]storage.UnitSpec, 0, len(p.specs))
	var walk func(s *spec)
	walk = func(s *spec) {
		out = append(out, s.UnitSpec)
		for _, c := range s.children {
			walk(c)
		}
	}
	for _, s := range p.specs {
		if s.parent == nil {
			walk(s)
		}
	}
	return out
}
