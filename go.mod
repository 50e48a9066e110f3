module github.com/flowviz/flowviz

go 1.26

require (
	github.com/ebitengine/debugui v0.2.0
	github.com/hajimehoshi/ebiten/v2 v2.8.8
	github.com/jezek/xgb v1.1.1
	golang.org/x/image v0.29.0
	golang.org/x/sys v0.36.0
	gonum.org/v1/gonum v0.17.0
)

require (
	github.com/ebitengine/gomobile v0.0.0-20240911145611-4856209ac325 // indirect
	github.com/ebitengine/hideconsole v1.0.0 // indirect
	github.com/ebitengine/purego v0.8.0 // indirect
	github.com/go-rod/rod v0.116.2 // indirect
	github.com/go-text/typesetting v0.2.0 // indirect
	github.com/hajimehoshi/bitmapfont/v4 v4.1.0 // indirect
	github.com/pierrec/lz4/v4 v4.1.22 // indirect
	github.com/rivo/uniseg v0.4.7 // indirect
	github.com/ysmood/fetchup v0.2.3 // indirect
	github.com/ysmood/goob v0.4.0 // indirect
	github.com/ysmood/got v0.40.0 // indirect
	github.com/ysmood/gson v0.7.3 // indirect
	github.com/ysmood/leakless v0.9.0 // indirect
	golang.org/x/sync v0.17.0 // indirect
	golang.org/x/text v0.27.0 // indirect
	golang.org/x/tools v0.37.0 // indirect
)
