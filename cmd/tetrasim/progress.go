package main

import (
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// newProgress returns a progress bar of total steps on the command's stderr, or nil
// when quiet is set or stderr is not a terminal (in a log file a bar is
// carriage-return noise). A total of -1 shows a spinner with the count. The
// bar's methods are safe on nil only through the helpers below.
func newProgress(cmd *cobra.Command, quiet bool, total int64, desc string) *progressbar.ProgressBar {
	f, ok := cmd.ErrOrStderr().(*os.File)
	if quiet || !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(f),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowCount(),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish())
}

// progressAdd advances bar by n steps; a nil bar is ignored.
func progressAdd(bar *progressbar.ProgressBar, n int) {
	if bar != nil {
		_ = bar.Add(n)
	}
}

// progressSet moves bar to step v; a nil bar is ignored.
func progressSet(bar *progressbar.ProgressBar, v int64) {
	if bar != nil {
		_ = bar.Set64(v)
	}
}

// progressDone finishes bar; a nil bar is ignored.
func progressDone(bar *progressbar.ProgressBar) {
	if bar != nil {
		_ = bar.Finish()
	}
}
