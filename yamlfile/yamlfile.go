// Package yamlfile is the one layer that reads the YAML files people write
// for Loa (the unit tree, the agreement's plan): the whole file is checked
// before anything is used, and every problem is reported with its line, in
// the "file:line: message" form editors and terminals jump to.
//
// The YAML library lets through what a person almost never means and
// reports some mistakes without saying where; this layer refuses and
// locates them the same way for every file: files over a size, broken
// UTF-8 and control characters, several documents, keys that are not text,
// duplicate keys, anchors, aliases and merge keys, empty values, invisible
// characters in text people read.
package yamlfile

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
	"gopkg.in/yaml.v3"
)

// Error is one problem in a file: "file:line: message".
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// File gathers the problems of one file while it is read.
type File struct {
	Name string
	errs []*Error
}

// Read reads one YAML document of at most maxSize bytes from r and returns
// its top node, or nil when the file cannot be read as YAML at all (the
// reasons are in f.Err()). empty is the sentence for an empty file, saying
// what it should hold. A read error of r itself is returned as is.
func Read(r io.Reader, name string, maxSize int, empty string) (*File, *yaml.Node, error) {
	f := &File{Name: name}
	data, err := io.ReadAll(io.LimitReader(r, int64(maxSize)+1))
	if err != nil {
		return f, nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(data) > maxSize {
		f.Errorf(1, "the file is larger than %d bytes", maxSize)
		return f, nil, nil
	}
	if !f.checkText(data) {
		return f, nil, nil
	}
	return f, f.decode(data, empty), nil
}

// Errorf records a problem at line.
func (f *File) Errorf(line int, format string, args ...any) {
	f.errs = append(f.errs, &Error{File: f.Name, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// Count is the number of problems recorded so far: compare it before and
// after reading a part to know whether that part had any.
func (f *File) Count() int { return len(f.errs) }

// Err joins the problems found, in line order; nil when there are none.
func (f *File) Err() error {
	slices.SortStableFunc(f.errs, func(a, b *Error) int { return cmp.Compare(a.Line, b.Line) })
	errs := make([]error, len(f.errs))
	for i, e := range f.errs {
		errs[i] = e
	}
	return errors.Join(errs...)
}

// ReportedIn reports whether a problem was already recorded on the lines
// of node m, so that a bad value is not reported a second time as missing.
func (f *File) ReportedIn(m *yaml.Node) bool {
	last := m.Line
	if n := len(m.Content); n > 0 {
		last = m.Content[n-1].Line
	}
	for _, e := range f.errs {
		if e.Line >= m.Line && e.Line <= last {
			return true
		}
	}
	return false
}

// checkText refuses bytes YAML would refuse without saying where: broken
// UTF-8 and control characters.
func (f *File) checkText(data []byte) bool {
	line := 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			f.Errorf(line, "the file is not valid UTF-8")
			return false
		case r == '\n':
			line++
		case r != '\t' && r != '\r' && unicode.Is(unicode.Cc, r):
			f.Errorf(line, "control character %U", r)
			return false
		}
		i += size
	}
	return true
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// decode parses data as one YAML document and returns its top node.
func (f *File) decode(data []byte, empty string) *yaml.Node {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			f.Errorf(1, "the file is empty: %s", empty)
		} else {
			f.yamlError(data, err)
		}
		return nil
	}
	var more yaml.Node
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		if err != nil {
			f.yamlError(data, err)
		} else {
			f.Errorf(more.Line, "a second YAML document (after ---): put everything in the first")
		}
		return nil
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		f.Errorf(1, "the file is empty: %s", empty)
		return nil
	}
	return doc.Content[0]
}

// yamlError turns a YAML syntax error in data into an *Error.
func (f *File) yamlError(data []byte, err error) {
	msg, reported := strings.TrimPrefix(err.Error(), "yaml: "), 0
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		reported, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	f.Errorf(syntaxLine(data, reported), "invalid YAML: %s", msg)
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

// Fields calls fn for each key of the mapping m (what names it in errors),
// refusing a node that is not a mapping, keys that are not text, duplicate
// keys, anchors, aliases and merge keys (which the YAML library would let
// through silently).
func (f *File) Fields(m *yaml.Node, what string, fn func(key, value *yaml.Node)) {
	if m.Kind != yaml.MappingNode {
		f.Errorf(m.Line, "%s must be a mapping of keys, found %s", what, Describe(m))
		return
	}
	seen := make(map[string]int)
	for i := 0; i+1 < len(m.Content); i += 2 {
		key, value := m.Content[i], m.Content[i+1]
		if key.Kind != yaml.ScalarNode {
			f.Errorf(key.Line, "a key of %s is not text", what)
			continue
		}
		if first, dup := seen[key.Value]; dup {
			f.Errorf(key.Line, "key %q given twice in %s (first at line %d)", key.Value, what, first)
			continue
		}
		seen[key.Value] = key.Line
		if value.Kind == yaml.AliasNode || value.Anchor != "" || key.Value == "<<" {
			f.Errorf(key.Line, "anchors, aliases and merge keys are not supported: write it out")
			continue
		}
		fn(key, value)
	}
}

// Text returns a scalar's trimmed value; a missing value (key:, key: ~) is
// refused as empty, a list or mapping as not text. It returns "" after
// recording the problem.
func (f *File) Text(key, value *yaml.Node) string {
	if value.Kind != yaml.ScalarNode {
		f.Errorf(value.Line, "%s: must be text, found %s", key.Value, Describe(value))
		return ""
	}
	v := strings.TrimSpace(value.Value)
	if value.Tag == "!!null" || v == "" {
		f.Errorf(key.Line, "%s: is empty", key.Value)
		return ""
	}
	return v
}

// Prose is text people read (a name, a title, a description): NFC,
// trimmed, refusing what would show badly or deceive in a chat — control
// characters, invisible format characters (zero-width space U+200B,
// joiners, direction marks and overrides, BOM U+FEFF), line and paragraph
// separators — and more than max characters. Line breaks are allowed only
// with multiline.
func (f *File) Prose(key, value *yaml.Node, max int, multiline bool) string {
	v := f.Text(key, value)
	if v == "" {
		return ""
	}
	v = strings.TrimSpace(norm.NFC.String(v))
	for _, r := range v {
		if r == '\n' && multiline {
			continue
		}
		if unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp) {
			f.Errorf(value.Line, "%s: %q contains the invisible or control character %U: retype it", key.Value, v, r)
			return ""
		}
	}
	if n := utf8.RuneCountInString(v); n > max {
		f.Errorf(value.Line, "%s: is %d characters long, at most %d are allowed", key.Value, n, max)
		return ""
	}
	return v
}

// Date reads dd/mm/yyyy (as dates are written in Vietnam) or yyyy-mm-dd.
func (f *File) Date(key, value *yaml.Node) time.Time {
	v := f.Text(key, value)
	if v == "" {
		return time.Time{}
	}
	for _, layout := range []string{"02/01/2006", "2/1/2006", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t
		}
	}
	f.Errorf(value.Line, "%s: %q is not a date: write dd/mm/yyyy, such as 18/11/2021", key.Value, v)
	return time.Time{}
}

// Describe says what kind of node n is, for errors.
func Describe(n *yaml.Node) string {
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
