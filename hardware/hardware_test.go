package hardware

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseArgs(t *testing.T) {
	for _, c := range []struct {
		in, driver, value string
		params            map[string]string
	}{
		{"file=cap.cu8,rate=2.304e6", "file", "cap.cu8", map[string]string{"rate": "2.304e6"}},
		{"rec.sigmf-meta", "sigmf", "rec.sigmf-meta", map[string]string{}},
		{"file=x/rec.sigmf-meta,repeat", "sigmf", "x/rec.sigmf-meta", map[string]string{"repeat": "true"}},
		{"loopback", "loopback", "", map[string]string{}},
		{"RTLTCP=127.0.0.1:1234, Freq=433.92M", "rtltcp", "127.0.0.1:1234", map[string]string{"freq": "433.92M"}},
		{"zmq=tcp://127.0.0.1:5555,pattern=sub", "zmq", "tcp://127.0.0.1:5555", map[string]string{"pattern": "sub"}},
	} {
		a, err := ParseArgs(c.in)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if a.Driver != c.driver || a.Value != c.value || len(a.Params) != len(c.params) {
			t.Errorf("%q: got %q %q %v", c.in, a.Driver, a.Value, a.Params)
		}
		for k, v := range c.params {
			if a.Params[k] != v {
				t.Errorf("%q: %s=%q, want %q", c.in, k, a.Params[k], v)
			}
		}
	}
	for _, bad := range []string{"", "  ", "=x", "file=a,rate=1,rate=2", "file=a,=3"} {
		if _, err := ParseArgs(bad); !errors.Is(err, ErrBadSpec) {
			t.Errorf("%q: err = %v, want ErrBadSpec", bad, err)
		}
	}
	a, _ := ParseArgs("x=1,f=433.92M,g=2.5k,h=bad,b=off")
	if v, _ := a.Float("f", 0); v != 433.92e6 {
		t.Errorf("433.92M = %g", v)
	}
	if v, _ := a.Float("g", 0); v != 2500 {
		t.Errorf("2.5k = %g", v)
	}
	if _, err := a.Float("h", 0); !errors.Is(err, ErrBadSpec) {
		t.Errorf("bad number: %v", err)
	}
	if v, err := a.Bool("b", true); v || err != nil {
		t.Errorf("b=off: %v %v", v, err)
	}
}

func TestRegistryUnknown(t *testing.T) {
	r := NewRegistry(Driver{Name: "file", Keys: []string{"rate"}, Usage: "file=PATH", Open: func(context.Context, Args, Direction) (Device, error) {
		return nil, errors.New("not reached")
	}})
	_, err := r.OpenSource(context.Background(), "nosuch=thing")
	if !errors.Is(err, ErrUnknownDriver) || !strings.Contains(err.Error(), "known: file") {
		t.Errorf("unknown driver: %v", err)
	}
	_, err = r.OpenSource(context.Background(), "file=x,colour=red")
	if !errors.Is(err, ErrBadSpec) || !strings.Contains(err.Error(), `"colour"`) {
		t.Errorf("unknown key: %v", err)
	}
}

func TestPolicy(t *testing.T) {
	p := TXPolicy{Enabled: true, Allowed: DefaultAllowed(), MaxGainDB: 10, MaxBurst: time.Second}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		hz   float64
		want bool
	}{{433.92e6, true}, {433.06e6, false} /* edge: channel sticks out */, {390e6, false}, {380.0125e6, false}, {915e6, true}, {2.45e9, true}, {446e6, false}} {
		if got := p.AllowsFreq(c.hz); got != c.want {
			t.Errorf("AllowsFreq(%g) = %v", c.hz, got)
		}
	}
	bad := []TXPolicy{
		{},
		{Enabled: true, MaxBurst: time.Second},
		{Enabled: true, Allowed: []Range{{Min: 385e6, Max: 395e6}}, MaxBurst: time.Second},
		{Enabled: true, Allowed: []Range{{Min: 370e6, Max: 410e6}}, MaxBurst: time.Second},
		{Enabled: true, Allowed: DefaultAllowed()},
	}
	for i, q := range bad {
		if err := q.Validate(); err == nil {
			t.Errorf("policy %d accepted", i)
		}
	}
	if err := (TXPolicy{}).Validate(); !errors.Is(err, ErrTXDisabled) {
		t.Errorf("zero policy: %v", err)
	}
}

func TestRangeClamp(t *testing.T) {
	r := Range{Min: 0, Max: 40, Step: 8}
	for _, c := range [][2]float64{{-3, 0}, {3, 0}, {5, 8}, {39, 40}, {99, 40}} {
		if got := r.Clamp(c[0]); got != c[1] {
			t.Errorf("Clamp(%g) = %g, want %g", c[0], got, c[1])
		}
	}
	r = Range{Min: 0, Max: 47, Step: 2}
	if got := r.Clamp(47); got != 46 {
		t.Errorf("Clamp(47) step 2 = %g", got)
	}
}

// FuzzParseArgs: device strings (from users and config files) parse or fail
// with ErrBadSpec; a parsed one keeps every key it was given. Never a panic.
func FuzzParseArgs(f *testing.F) {
	for _, s := range []string{"file=cap.cu8,rate=2.304e6", "rec.sigmf-meta", "loopback", "rtltcp=[::1]:1234,gain=auto", "=", ",,,", "a=b=c,d", "x,y=1,y=2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseArgs(s)
		if err != nil {
			if !errors.Is(err, ErrBadSpec) {
				t.Fatalf("error %v does not wrap ErrBadSpec", err)
			}
			return
		}
		if a.Driver == "" {
			t.Fatal("parsed without a driver")
		}
		for k := range a.Params {
			if k == "" || !a.Has(k) {
				t.Fatalf("bad key %q", k)
			}
			_, _ = a.Float(k, 0)
			_, _ = a.Bool(k, false)
		}
	})
}
