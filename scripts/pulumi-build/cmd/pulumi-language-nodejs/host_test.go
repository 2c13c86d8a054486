package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestScanResourcePackages(t *testing.T) {
	root := t.TempDir()
	prog := filepath.Join(root, "prog")
	nm := filepath.Join(root, "shared", "node_modules") // reached through a symlinked node_modules
	writeFile(t, filepath.Join(prog, "package.json"), `{"name":"prog"}`)
	writeFile(t, filepath.Join(nm, "@pulumi", "pulumi", "package.json"), `{"name":"@pulumi/pulumi","version":"3.259.0"}`)
	writeFile(t, filepath.Join(nm, "@pulumi", "okta", "package.json"),
		`{"name":"@pulumi/okta","version":"7.0.0","pulumi":{"resource":true,"name":"okta","version":"7.0.0"}}`)
	writeFile(t, filepath.Join(nm, "@pulumi", "azuread", "package.json"),
		`{"name":"@pulumi/azuread","version":"6.9.1","pulumi":{"resource":true}}`)
	writeFile(t, filepath.Join(nm, "x", "node_modules", "@pulumi", "random", "package.json"),
		`{"name":"@pulumi/random","version":"v4.1.0","pulumi":{"resource":true,"server":"https://example.test"}}`)
	// Not package roots: must be ignored.
	writeFile(t, filepath.Join(nm, "x", "lib", "package.json"), `{"name":"@pulumi/nope","pulumi":{"resource":true}}`)
	writeFile(t, filepath.Join(nm, ".cache", "y", "package.json"), `{"name":"@pulumi/nope2","pulumi":{"resource":true}}`)
	if err := os.Symlink(nm, filepath.Join(prog, "node_modules")); err != nil {
		t.Fatal(err)
	}

	h := newHost("", "", nodeOptions{typescript: true})
	resp, err := h.GetRequiredPackages(context.Background(), &pulumirpc.GetRequiredPackagesRequest{
		Info: &pulumirpc.ProgramInfo{RootDirectory: prog, ProgramDirectory: prog, EntryPoint: "."},
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range resp.Packages {
		got = append(got, p.Kind+":"+p.Name+"@"+p.Version+" "+p.Server)
	}
	want := []string{
		"resource:azuread@v6.9.1 ",
		"resource:okta@v7.0.0 ",
		"resource:random@v4.1.0 https://example.test",
	}
	if len(got) != len(want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %q, want %q", got, want)
		}
	}

	deps, err := h.GetProgramDependencies(context.Background(), &pulumirpc.GetProgramDependenciesRequest{
		Info:                   &pulumirpc.ProgramInfo{ProgramDirectory: prog},
		TransitiveDependencies: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(deps.Dependencies) != 4 || deps.Dependencies[0].Name != "@pulumi/azuread" {
		t.Fatalf("unexpected dependencies %v", deps.Dependencies)
	}
}

func TestMarshalConfig(t *testing.T) {
	s, err := marshalConfig(map[string]string{"proj:tok": "abc", "aws:region": "x", "proj:config:old": "y"})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"proj:config:tok": "abc", "aws:config:region": "x", "proj:config:old": "y"}
	for k, v := range want {
		if m[k] != v {
			t.Fatalf("PULUMI_CONFIG = %s, want key %s=%s", s, k, v)
		}
	}
	if _, err := marshalConfig(map[string]string{"nonamespace": "v"}); err == nil {
		t.Fatal("expected an error for a key without namespace")
	}
}

func TestOptions(t *testing.T) {
	h := newHost("", "", nodeOptions{typescript: true})
	opts, err := h.options(&pulumirpc.ProgramInfo{})
	if err != nil || !opts.typescript {
		t.Fatalf("defaults: %+v %v", opts, err)
	}
}

func TestPluginCommand(t *testing.T) {
	// A policy pack: run-policy-pack wants <engine-address> <pack directory> (cmd/run-policy-pack/index.js).
	got := pluginCommand(kindAnalyzer, "/nm/run-policy-pack/index.js", "/repo/policy", []string{"--no-warnings"}, []string{"127.0.0.1:1234"})
	want := []string{"--no-warnings", "/nm/run-policy-pack/index.js", "127.0.0.1:1234", "/repo/policy"}
	if len(got) != len(want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %q, want %q", got, want)
		}
	}
	// A source-based provider: run-plugin wants <plugin directory> first, then the engine's arguments.
	got = pluginCommand("resource", "/nm/run-plugin/index.js", "/repo/provider", nil, []string{"127.0.0.1:1234"})
	want = []string{"/nm/run-plugin/index.js", "/repo/provider", "127.0.0.1:1234"}
	for i := range want {
		if len(got) != len(want) || got[i] != want[i] {
			t.Fatalf("got %q, want %q", got, want)
		}
	}
}
