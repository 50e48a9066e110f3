package e2e

// X keysyms (X11/keysymdef.h) for the keys flowviz uses. Letters and digits are their
// ASCII codes: KeyA is 'a'; KeysymOf maps any ASCII or Latin-1 rune.
const (
	Space     uint32 = 0x0020
	BackSpace uint32 = 0xff08
	Tab       uint32 = 0xff09
	Return    uint32 = 0xff0d
	Escape    uint32 = 0xff1b
	Home      uint32 = 0xff50
	Left      uint32 = 0xff51
	Up        uint32 = 0xff52
	Right     uint32 = 0xff53
	Down      uint32 = 0xff54
	PageUp    uint32 = 0xff55 // XK_Prior
	PageDown  uint32 = 0xff56 // XK_Next
	End       uint32 = 0xff57
	Insert    uint32 = 0xff63
	Delete    uint32 = 0xffff
	F1        uint32 = 0xffbe // F2..F12 follow: F1 + n − 1
	F11       uint32 = 0xffc8
	F12       uint32 = 0xffc9
	ShiftL    uint32 = 0xffe1
	ShiftR    uint32 = 0xffe2
	ControlL  uint32 = 0xffe3
	ControlR  uint32 = 0xffe4
	AltL      uint32 = 0xffe9
	Plus      uint32 = '+'
	Minus     uint32 = '-'
	Equal     uint32 = '='
)

// Letters and digits.
const (
	KeyA uint32 = 'a' + iota
	KeyB
	KeyC
	KeyD
	KeyE
	KeyF
	KeyG
	KeyH
	KeyI
	KeyJ
	KeyK
	KeyL
	KeyM
	KeyN
	KeyO
	KeyP
	KeyQ
	KeyR
	KeyS
	KeyT
	KeyU
	KeyV
	KeyW
	KeyX
	KeyY
	KeyZ
)

const (
	Key0 uint32 = '0' + iota
	Key1
	Key2
	Key3
	Key4
	Key5
	Key6
	Key7
	Key8
	Key9
)

// KeysymOf is the keysym typing r produces: Latin-1 runes are their own keysyms, the
// control characters \n \r \t \b are Return, Return, Tab and BackSpace, and other runes
// use X's Unicode keysyms (0x01000000 + r), which a US keyboard map lacks.
func KeysymOf(r rune) uint32 {
	switch {
	case r == '\n' || r == '\r':
		return Return
	case r == '\t':
		return Tab
	case r == '\b':
		return BackSpace
	case r >= 0x20 && r <= 0x7e, r >= 0xa0 && r <= 0xff:
		return uint32(r)
	}
	return 0x01000000 + uint32(r)
}
