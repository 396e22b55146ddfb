package scenario

// DefaultYAML is the built-in scenario of `tetrasim call`: one cell, a talkgroup
// of three handsets, real speech from the bundled clips, TU50 at a moderate
// Eb/N0 (20 dB), a late joiner, an SDS, an eavesdropper and a compromised base
// station that replays the call later.
const DefaultYAML = `name: default
seed: 1
fidelity: bits
cipher: e2ee
cells:
  - name: A
    id: 1
    position: [0, 0]
    downlink_mhz: 390
    channel: {model: tu50, ebn0_db: 20}
talkgroups:
  - {name: fire, gssi: 9001}
handsets:
  - {name: alice, issi: 1001, position: [300, 0], speed_kmh: 50, talkgroups: [fire]}
  - {name: bob, issi: 1002, position: [0, 500], speed_kmh: 30, talkgroups: [fire]}
  - {name: carol, issi: 1003, position: [-400, 0], speed_kmh: 50, talkgroups: [fire], join_at_s: 3.0}
talks:
  - {who: alice, group: fire, at_s: 0.6, wav: "builtin:vk5qi", duration_s: 5.0}
sds:
  - {from: bob, to: alice, at_s: 1.5, text: "on scene, two engines"}
eavesdropper: {cell: A, position: [100, 100]}
compromised_bs: A
replay_at_s: 8.5
`

// Default returns the built-in scenario, validated.
func Default() *Scenario {
	s, err := Parse([]byte(DefaultYAML), ".")
	if err != nil {
		panic("scenario: built-in scenario invalid: " + err.Error())
	}
	return s
}
