package palette

import (
	"fmt"
	"strings"
)

// CheckLook reports, as an error naming the choices, a theme or colour map
// name that does not exist; "" stands for the default and passes.
func CheckLook(theme, colours string) error {
	if theme != "" {
		if _, ok := ThemeByName(theme); !ok {
			names := make([]string, len(Themes))
			for i, t := range Themes {
				names[i] = t.Name
			}
			return fmt.Errorf("no theme %q (%s)", theme, strings.Join(names, ", "))
		}
	}
	if colours == "" {
		return nil
	}
	names := make([]string, len(ColourMaps))
	for i, m := range ColourMaps {
		if m.Name == colours {
			return nil
		}
		names[i] = m.Name
	}
	return fmt.Errorf("no colour map %q (%s)", colours, strings.Join(names, ", "))
}

// SetLook makes the theme and the colour map called theme and colours
// current ("" keeps the current one), after CheckLook.
func SetLook(theme, colours string) error {
	if err := CheckLook(theme, colours); err != nil {
		return err
	}
	if t, ok := ThemeByName(theme); ok {
		SetTheme(t)
	}
	if colours != "" {
		SetColours(colours)
	}
	return nil
}
