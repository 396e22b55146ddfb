package radio

import "fmt"

// Channel is a logical channel of the V+D air interface, EN 300 392-2 clause
// 9.2 (the channels tetrasim uses on π/4-DQPSK).
type Channel uint8

// Logical channels. Their coding parameters (type-1…type-5 sizes, interleaver,
// CRC) live in radio/lmac; their burst mapping in clause 9.5.
const (
	AACH  Channel = iota + 1 // access assignment channel, in BB
	BSCH                     // broadcast synchronization channel, in SB1
	BNCH                     // broadcast network channel (half slot)
	SCHF                     // SCH/F, full-slot signalling channel
	SCHHD                    // SCH/HD, half-slot downlink signalling channel
	SCHHU                    // SCH/HU, half-slot (sub-slot) uplink signalling channel
	STCH                     // stealing channel (half slot)
	TCHS                     // TCH/S, speech traffic
	TCH72                    // TCH/7.2, unprotected circuit data
	TCH48                    // TCH/4.8
	TCH24                    // TCH/2.4
)

var channelNames = [...]string{"", "AACH", "BSCH", "BNCH", "SCH/F", "SCH/HD", "SCH/HU", "STCH", "TCH/S", "TCH/7.2", "TCH/4.8", "TCH/2.4"}

// String returns the standard's name, for example "SCH/F".
func (c Channel) String() string {
	if c != 0 && int(c) < len(channelNames) {
		return channelNames[c]
	}
	return fmt.Sprintf("Channel(%d)", int(c))
}

// ParseChannel accepts a name as returned by String (case-sensitive).
func ParseChannel(s string) (Channel, error) {
	for i, n := range channelNames {
		if i > 0 && n == s {
			return Channel(i), nil
		}
	}
	return 0, fmt.Errorf("radio: unknown logical channel %q", s)
}

// Signalling reports whether c carries MAC PDUs (as opposed to AACH, which
// carries ACCESS-ASSIGN, and the traffic channels).
func (c Channel) Signalling() bool {
	switch c {
	case BSCH, BNCH, SCHF, SCHHD, SCHHU, STCH:
		return true
	}
	return false
}

// Traffic reports whether c is a traffic channel.
func (c Channel) Traffic() bool { return c >= TCHS && c <= TCH24 }
