package handlers

import "testing"

func TestParseCommand(t *testing.T) {
	tests := []struct {
		text    string
		ok      bool
		name    string
		mention string
		args    string
	}{
		{"/start", true, "start", "", ""},
		{"/start abc_DEF-123", true, "start", "", "abc_DEF-123"},
		{"/help@loa_bot", true, "help", "loa_bot", ""},
		{"/HELP@Loa_Bot", true, "help", "loa_bot", ""},
		{"/help@other_bot", true, "help", "other_bot", ""},
		{"/subscribe    tra   co  ", true, "subscribe", "", "tra   co"},
		{"/subscribe\ntrà cổ", true, "subscribe", "", "trà cổ"},
		// NFD input (combining marks) becomes NFC.
		{"/subscribe Tra\u0300 Cô\u0309", true, "subscribe", "", "Trà Cổ"},
		{"/broadcast all <b>&", true, "broadcast", "", "all <b>&"},
		{"hello", false, "", "", ""},
		{"", false, "", "", ""},
		{"/", false, "", "", ""},
		{"/ start", false, "", "", ""},
		{"/@loa_bot", false, "", "", ""},
		{"/đi", false, "", "", ""},
		{"/" + string(make([]byte, 33)), false, "", "", ""},
		{"/abcdefghijabcdefghijabcdefghijab", true, "abcdefghijabcdefghijabcdefghijab", "", ""},
		{"/abcdefghijabcdefghijabcdefghijabc", false, "", "", ""},
	}
	for _, tt := range tests {
		got, ok := ParseCommand(tt.text)
		if ok != tt.ok {
			t.Errorf("ParseCommand(%q) ok = %v, want %v", tt.text, ok, tt.ok)
			continue
		}
		if !ok {
			continue
		}
		if got.Name != tt.name || got.Mention != tt.mention || got.Args != tt.args {
			t.Errorf("ParseCommand(%q) = {%q %q %q}, want {%q %q %q}", tt.text,
				got.Name, got.Mention, got.Args, tt.name, tt.mention, tt.args)
		}
	}
}

func TestParseCommandArgsOffset(t *testing.T) {
	text := "/broadcast@loa_bot   all hello"
	c, ok := ParseCommand(text)
	if !ok {
		t.Fatal("not a command")
	}
	if text[c.ArgsOffset:] != "all hello" {
		t.Fatalf("ArgsOffset %d points at %q", c.ArgsOffset, text[c.ArgsOffset:])
	}
}

func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{"/start", "/help@loa_bot x", "/a\u0300 b", "/x\n\ny"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, ok := ParseCommand(s)
		if !ok {
			return
		}
		if c.ArgsOffset < 0 || c.ArgsOffset > len(s) {
			t.Fatalf("ArgsOffset %d out of range for %q", c.ArgsOffset, s)
		}
		if c.Name == "" || len(c.Name) > 32 {
			t.Fatalf("bad name %q", c.Name)
		}
	})
}
