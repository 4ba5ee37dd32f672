package messages

import (
	"math"
	"testing"
	"time"
	_ "time/tzdata" // the zones below, even on a host without tzdata
)

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestDateAndDateTime(t *testing.T) {
	hcm := mustLoad(t, "Asia/Ho_Chi_Minh")
	ny := mustLoad(t, "America/New_York")
	// 17:30 UTC on 18/11/2021 is 00:30 on the 19th in Vietnam.
	evening := time.Date(2021, 11, 18, 17, 30, 0, 0, time.UTC)
	signing := time.Date(2021, 11, 18, 16, 44, 0, 0, hcm)
	tests := []struct {
		name         string
		t            time.Time
		loc          *time.Location
		date, dateTm string
	}{
		{"UTC evening in Vietnam is the next day", evening, hcm, "19/11/2021", "19/11/2021 00:30"},
		{"UTC evening in UTC", evening, time.UTC, "18/11/2021", "18/11/2021 17:30"},
		{"UTC evening in New York", evening, ny, "18/11/2021", "18/11/2021 12:30"},
		{"nil location is Vietnam time", evening, nil, "19/11/2021", "19/11/2021 00:30"},
		{"local time of the signing", signing, hcm, "18/11/2021", "18/11/2021 16:44"},
		{"signing seen from UTC", signing, time.UTC, "18/11/2021", "18/11/2021 09:44"},
		{"single-digit day and month are padded", time.Date(2025, 3, 5, 7, 4, 0, 0, hcm), hcm, "05/03/2025", "05/03/2025 07:04"},
		{"new year crosses in Vietnam first", time.Date(2024, 12, 31, 17, 0, 0, 0, time.UTC), hcm, "01/01/2025", "01/01/2025 00:00"},
	}
	for _, tt := range tests {
		if got := Date(tt.t, tt.loc); got != tt.date {
			t.Errorf("%s: Date = %q, want %q", tt.name, got, tt.date)
		}
		if got := DateTime(tt.t, tt.loc); got != tt.dateTm {
			t.Errorf("%s: DateTime = %q, want %q", tt.name, got, tt.dateTm)
		}
	}
}

func TestNumber(t *testing.T) {
	tests := []struct {
		n      int
		vi, en string
	}{
		{0, "0", "0"},
		{7, "7", "7"},
		{999, "999", "999"},
		{1000, "1.000", "1,000"},
		{1240, "1.240", "1,240"},
		{12345, "12.345", "12,345"},
		{100000, "100.000", "100,000"},
		{1234567, "1.234.567", "1,234,567"},
		{-1240, "-1.240", "-1,240"},
		{-999, "-999", "-999"},
		{math.MaxInt64, "9.223.372.036.854.775.807", "9,223,372,036,854,775,807"},
		{math.MinInt64, "-9.223.372.036.854.775.808", "-9,223,372,036,854,775,808"},
	}
	for _, tt := range tests {
		if got := Number(Vietnamese, tt.n); got != tt.vi {
			t.Errorf("Number(vi, %d) = %q, want %q", tt.n, got, tt.vi)
		}
		if got := Number(English, tt.n); got != tt.en {
			t.Errorf("Number(en, %d) = %q, want %q", tt.n, got, tt.en)
		}
	}
	if got := Number("fr", 1240); got != "1.240" {
		t.Errorf("Number(fr, 1240) = %q, want the Vietnamese form", got)
	}
}
