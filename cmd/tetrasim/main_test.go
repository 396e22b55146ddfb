package main

import "testing"

func TestExitCodes(t *testing.T) {
	for _, c := range []struct {
		args []string
		want int
	}{
		{[]string{"version"}, 0},
		{[]string{"nosuchcommand"}, 2},
		{[]string{"version", "--nosuchflag"}, 2},
		{[]string{"version", "extra"}, 2},
	} {
		if got := run(c.args); got != c.want {
			t.Errorf("run(%q) = %d, want %d", c.args, got, c.want)
		}
	}
}
