package units

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
	"gopkg.in/yaml.v3"

	"github.com/loabot/loa/storage"
)

// Limits of the units file. A real one is a few kilobytes.
const (
	MaxFileSize = 1 << 20
	MaxNameLen  = 200 // characters, after NFC
)

// Error is one problem in a units file. Its text is "file:line: message",
// the form editors and terminals jump to.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

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
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read units file %s: %w", name, err)
	}
	p := &parser{file: name, codes: make(map[string]*spec)}
	if len(data) > MaxFileSize {
		p.errorf(1, "the file is larger than %d bytes", MaxFileSize)
		return nil, p.err()
	}
	if !p.checkText(data) {
		return nil, p.err()
	}
	root, ok := p.decode(data)
	if !ok {
		return nil, p.err()
	}
	p.document(root)
	if len(p.errs) == 0 {
		p.link()
	}
	if len(p.errs) > 0 {
		return nil, p.err()
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
	file  string
	errs  []*Error
	specs []*spec // in file order
	codes map[string]*spec
}

func (p *parser) errorf(line int, format string, args ...any) {
	p.errs = append(p.errs, &Error{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// err joins the errors found, in line order.
func (p *parser) err() error {
	slices.SortStableFunc(p.errs, func(a, b *Error) int { return cmp.Compare(a.Line, b.Line) })
	errs := make([]error, len(p.errs))
	for i, e := range p.errs {
		errs[i] = e
	}
	return errors.Join(errs...)
}

// checkText refuses bytes YAML would refuse without saying where: broken
// UTF-8 and control characters.
func (p *parser) checkText(data []byte) bool {
	line := 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			p.errorf(line, "the file is not valid UTF-8")
			return false
		case r == '\n':
			line++
		case r != '\t' && r != '\r' && unicode.Is(unicode.Cc, r):
			p.errorf(line, "control character %U", r)
			return false
		}
		i += size
	}
	return true
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// decode parses data as one YAML document and returns its top node.
func (p *parser) decode(data []byte) (*yaml.Node, bool) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			p.errorf(1, "the file is empty: it needs a list of units under the key units:")
		} else {
			p.yamlError(data, err)
		}
		return nil, false
	}
	var more yaml.Node
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		if err != nil {
			p.yamlError(data, err)
		} else {
			p.errorf(more.Line, "a second YAML document (after ---): put every unit in the first")
		}
		return nil, false
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		p.errorf(1, "the file is empty: it needs a list of units under the key units:")
		return nil, false
	}
	return doc.Content[0], true
}

// yamlError turns a YAML syntax error in data into an *Error.
func (p *parser) yamlError(data []byte, err error) {
	msg, reported := strings.TrimPrefix(err.Error(), "yaml: "), 0
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		reported, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	p.errorf(syntaxLine(data, reported), "invalid YAML: %s", msg)
}

// syntaxLine finds the line of a syntax error in data. The YAML library
// reports the line where the enclosing block began, often counted from 0
// ("line 1" for a wrong indent on line 5), so its number is only a lower
// bound. The line of the mistake is the last line of the shortest prefix of
// whole lines that does not parse: a binary search from that bound, a few
// parses of a small file, and only when the file is wrong anyway.
func syntaxLine(data []byte, reported int) int {
	lines := bytes.SplitAfter(data, []byte("\n"))
	if len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	valid := func(k int) bool {
		dec := yaml.NewDecoder(bytes.NewReader(bytes.Join(lines[:k], nil)))
		for {
			var n yaml.Node
			if err := dec.Decode(&n); err != nil {
				return errors.Is(err, io.EOF)
			}
		}
	}
	lo, hi := max(0, min(reported-1, len(lines))), len(lines)
	if !valid(lo) {
		lo = 0
	}
	if valid(hi) { // not a syntax error of the lines: trust the library
		return max(reported, 1)
	}
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if valid(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}

func (p *parser) document(root *yaml.Node) {
	if root.Kind != yaml.MappingNode {
		p.errorf(root.Line, "expected the key units: with a list of units")
		return
	}
	var list *yaml.Node
	p.fields(root, "the file", func(key, value *yaml.Node) {
		switch key.Value {
		case "units":
			list = value
		default:
			p.errorf(key.Line, "unknown key %q at the top: only units: is known", key.Value)
		}
	})
	if list == nil {
		p.errorf(root.Line, "no units: key")
		return
	}
	if list.Kind != yaml.SequenceNode || len(list.Content) == 0 {
		p.errorf(list.Line, "units: must be a non-empty list of units")
		return
	}
	p.list(list, nil)
}

// fields calls f for each key of a mapping, refusing duplicate keys and
// aliases (which the YAML library would otherwise let through silently).
func (p *parser) fields(m *yaml.Node, what string, f func(key, value *yaml.Node)) {
	seen := make(map[string]int)
	for i := 0; i+1 < len(m.Content); i += 2 {
		key, value := m.Content[i], m.Content[i+1]
		if key.Kind != yaml.ScalarNode {
			p.errorf(key.Line, "a key of %s is not text", what)
			continue
		}
		if first, dup := seen[key.Value]; dup {
			p.errorf(key.Line, "key %q given twice in %s (first at line %d)", key.Value, what, first)
			continue
		}
		seen[key.Value] = key.Line
		if value.Kind == yaml.AliasNode || value.Anchor != "" || key.Value == "<<" {
			p.errorf(key.Line, "anchors, aliases and merge keys are not supported: write the unit out")
			continue
		}
		f(key, value)
	}
}

// list reads a sequence of units whose parent is parent (nil at the top).
func (p *parser) list(seq *yaml.Node, parent *spec) {
	for _, item := range seq.Content {
		if item.Kind != yaml.MappingNode {
			p.errorf(item.Line, "expected a unit (code:, name:, kind: …), found %s", describe(item))
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
	p.fields(m, "a unit", func(key, value *yaml.Node) {
		switch key.Value {
		case "code":
			s.Code, seenCode = p.text(key, value), true
			if s.Code != "" && !storage.ValidUnitCode(s.Code) {
				p.errorf(value.Line, "code %q: use 1 to 40 characters of a-z, 0-9 and -, not starting with -", s.Code)
			}
		case "name":
			s.Name, seenName = p.name(key, value), true
		case "kind":
			s.Kind, seenKind = p.text(key, value), true
			if s.Kind != "" && !unitKind.MatchString(s.Kind) {
				p.errorf(value.Line, "kind %q: use a short word of a-z, 0-9 and -, starting with a letter", s.Kind)
			}
		case "visibility":
			switch v := p.text(key, value); v {
			case storage.Public, storage.Restricted:
				s.Visibility = v
			default:
				p.errorf(value.Line, "visibility %q: use public or restricted", v)
			}
		case "parent":
			if parent != nil {
				p.errorf(key.Line, "parent: inside children: the parent is the unit this one is listed under")
				return
			}
			s.ParentCode, s.parentLine = p.text(key, value), key.Line
			if s.ParentCode == "" {
				s.parentLine = 0
			}
		case "children":
			switch value.Kind {
			case yaml.SequenceNode:
				children = value
			case yaml.ScalarNode:
				if value.Tag != "!!null" {
					p.errorf(value.Line, "children: must be a list of units")
				}
			default:
				p.errorf(value.Line, "children: must be a list of units")
			}
		default:
			p.errorf(key.Line, "unknown key %q in a unit (known: code, name, kind, visibility, parent, children)", key.Value)
		}
	})
	for _, missing := range []struct {
		seen bool
		key  string
	}{{seenCode, "code"}, {seenName, "name"}, {seenKind, "kind"}} {
		if !missing.seen {
			p.errorf(m.Line, "the unit has no %s:", missing.key)
		}
	}
	if s.Code != "" {
		if first, dup := p.codes[s.Code]; dup {
			p.errorf(m.Line, "duplicate code %q: already used at line %d", s.Code, first.Line)
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

// text returns a scalar's value; a missing value (key:, key: ~) is refused
// as empty, a list or mapping as not text.
func (p *parser) text(key, value *yaml.Node) string {
	if value.Kind != yaml.ScalarNode {
		p.errorf(value.Line, "%s: must be text, found %s", key.Value, describe(value))
		return ""
	}
	v := strings.TrimSpace(value.Value)
	if value.Tag == "!!null" || v == "" {
		p.errorf(key.Line, "%s: is empty", key.Value)
		return ""
	}
	return v
}

// name returns a unit name NFC-normalised and trimmed, refusing what would
// show badly or deceive in a chat: control characters (a line break, a
// tab), invisible format characters (zero-width space U+200B, joiners,
// direction marks U+200E/F and overrides, BOM U+FEFF), line and paragraph
// separators, and names longer than MaxNameLen.
func (p *parser) name(key, value *yaml.Node) string {
	v := p.text(key, value)
	if v == "" {
		return ""
	}
	v = strings.TrimSpace(norm.NFC.String(v))
	for _, r := range v {
		if unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp) {
			p.errorf(value.Line, "name %q contains the invisible or control character %U: retype it", v, r)
			return ""
		}
	}
	if n := utf8.RuneCountInString(v); n > MaxNameLen {
		p.errorf(value.Line, "name is %d characters long, at most %d are allowed", n, MaxNameLen)
		return ""
	}
	return v
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	return fmt.Sprintf("%q", n.Value)
}

// link resolves parent: references and refuses unknown parents and cycles.
// Nested children are linked already and cannot form a cycle.
func (p *parser) link() {
	for _, s := range p.specs {
		if s.parent == nil && s.ParentCode != "" {
			parent, ok := p.codes[s.ParentCode]
			switch {
			case !ok:
				p.errorf(s.parentLine, "unit %q: unknown parent %q", s.Code, s.ParentCode)
				continue
			case parent == s:
				p.errorf(s.parentLine, "unit %q is its own parent", s.Code)
				continue
			}
			s.parent = parent
		}
	}
	if len(p.errs) > 0 {
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
			p.errorf(line, "parents form a cycle: %s (each under the next; units at lines %s)",
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
