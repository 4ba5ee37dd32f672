package messages

import "testing"

func TestParseLang(t *testing.T) {
	tests := []struct {
		in      string
		want    Lang
		wantErr bool
	}{
		{"vi", Vietnamese, false},
		{"VI", Vietnamese, false},
		{"en", English, false},
		{"En", English, false},
		{"", "", true},
		{"ru", "", true},
		{"vi-VN", "", true},
		{" vi", "", true},
		{"english", "", true},
	}
	for _, tt := range tests {
		got, err := ParseLang(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseLang(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestPick(t *testing.T) {
	tests := []struct {
		code     string
		fallback Lang
		want     Lang
	}{
		{"vi", English, Vietnamese},
		{"VI", English, Vietnamese},
		{"vi-VN", English, Vietnamese},
		{"vi_VN", English, Vietnamese},
		{"en", Vietnamese, English},
		{"en-US", Vietnamese, English},
		{"EN-gb", Vietnamese, English},
		{"ru", Vietnamese, Vietnamese},
		{"ru", English, English},
		{"zh-hans", Vietnamese, Vietnamese},
		{"", Vietnamese, Vietnamese},
		{"", English, English},
		{"env", Vietnamese, Vietnamese}, // not English: only the primary subtag counts
		{"-", English, English},
	}
	for _, tt := range tests {
		if got := Pick(tt.code, tt.fallback); got != tt.want {
			t.Errorf("Pick(%q, %q) = %q, want %q", tt.code, tt.fallback, got, tt.want)
		}
	}
}
