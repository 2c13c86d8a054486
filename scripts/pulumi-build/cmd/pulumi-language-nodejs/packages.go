package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// packageJSON is the part of a package.json this host reads.
type packageJSON struct {
	Name            string                   `json:"name"`
	Version         string                   `json:"version"`
	Dependencies    map[string]string        `json:"dependencies"`
	DevDependencies map[string]string        `json:"devDependencies"`
	Pulumi          *plugin.PulumiPluginJSON `json:"pulumi"`
}

func readPackageJSON(path string) (*packageJSON, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var p packageJSON
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("parsing %s: %w", path, err)
	}
	return &p, nil
}

// What a directory is, for the node_modules scan.
type dirKind int

const (
	plainDir       dirKind = iota // project sources: search every subdirectory
	nodeModulesDir                // a node_modules directory: children are packages or @scopes
	scopeDir                      // node_modules/@scope: children are packages
	packageDir                    // an installed package: only its nested node_modules matters
)

// walkPackages calls visit for every installed package directory (node_modules/<pkg>,
// node_modules/@scope/<pkg>) found under dir at any depth, following symlinks but visiting each real
// directory once. Inside a package only its nested node_modules is searched.
func walkPackages(dir string, start dirKind, visit func(pkgDir string)) []error {
	visited := map[string]bool{}
	var errs []error
	var walk func(dir string, kind dirKind)
	walk = func(dir string, kind dirKind) {
		real, err := filepath.EvalSymlinks(dir)
		if err != nil {
			errs = append(errs, err)
			return
		}
		if visited[real] {
			return
		}
		visited[real] = true
		entries, err := os.ReadDir(dir)
		if err != nil {
			errs = append(errs, err)
			return
		}
		for _, e := range entries {
			name := e.Name()
			path := filepath.Join(dir, name)
			isDir := e.IsDir()
			if e.Type()&fs.ModeSymlink != 0 {
				st, err := os.Stat(path)
				isDir = err == nil && st.IsDir()
			}
			if !isDir {
				continue
			}
			switch kind {
			case plainDir:
				if name == ".git" || name == ".pulumi" {
					continue
				}
				if name == "node_modules" {
					walk(path, nodeModulesDir)
				} else {
					walk(path, plainDir)
				}
			case nodeModulesDir:
				switch {
				case strings.HasPrefix(name, "."): // .bin, .cache, .pnpm: not packages
				case strings.HasPrefix(name, "@"):
					walk(path, scopeDir)
				default:
					visit(path)
					walk(path, packageDir)
				}
			case scopeDir:
				visit(path)
				walk(path, packageDir)
			case packageDir:
				if name == "node_modules" {
					walk(path, nodeModulesDir)
				}
			}
		}
	}
	walk(dir, start)
	return errs
}

// scanResourcePackages finds every installed npm package under dir (in any node_modules, at any depth,
// following symlinks) whose package.json declares `"pulumi": {"resource": true}`, i.e. that needs a
// resource plugin. Like the upstream host, this is a static scan of what is installed.
func scanResourcePackages(dir string) ([]*pulumirpc.PackageDependency, error) {
	seen := map[string]bool{}
	var deps []*pulumirpc.PackageDependency
	var errs []error

	consider := func(pkgDir string) {
		p, err := readPackageJSON(filepath.Join(pkgDir, "package.json"))
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
			return
		}
		if p.Pulumi == nil || !p.Pulumi.Resource {
			return
		}
		dep, err := packageDependency(p)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", pkgDir, err))
			return
		}
		key := dep.Name + "@" + dep.Version
		if dep.Parameterization != nil {
			key += "/" + dep.Parameterization.Name + "@" + dep.Parameterization.Version
		}
		if !seen[key] {
			seen[key] = true
			deps = append(deps, dep)
		}
	}

	errs = append(errs, walkPackages(dir, plainDir, consider)...)

	sort.Slice(deps, func(i, j int) bool {
		if deps[i].Name != deps[j].Name {
			return deps[i].Name < deps[j].Name
		}
		return deps[i].Version < deps[j].Version
	})
	return deps, errors.Join(errs...)
}

// packageDependency derives the plugin name/version the same way the upstream host does: `pulumi.name`
// and `pulumi.version` win; otherwise `@pulumi/<x>` gives plugin `x` and the npm version is used.
func packageDependency(p *packageJSON) (*pulumirpc.PackageDependency, error) {
	name := p.Pulumi.Name
	if name == "" {
		if !strings.HasPrefix(p.Name, "@pulumi/") {
			return nil, fmt.Errorf("third-party package %q must set \"pulumi.name\" in package.json", p.Name)
		}
		name = strings.TrimPrefix(p.Name, "@pulumi/")
	}
	ver := p.Pulumi.Version
	if ver == "" {
		ver = p.Version
	}
	if ver == "" {
		return nil, errors.New("missing \"version\" in package.json")
	}
	if !strings.HasPrefix(ver, "v") {
		ver = "v" + ver
	}
	dep := &pulumirpc.PackageDependency{
		Name:    name,
		Kind:    "resource",
		Version: ver,
		Server:  p.Pulumi.Server,
	}
	if pz := p.Pulumi.Parameterization; pz != nil {
		dep.Parameterization = &pulumirpc.PackageParameterization{Name: pz.Name, Version: pz.Version, Value: pz.Value}
	}
	if pz := p.Pulumi.ExtensionParameterization; pz != nil {
		dep.Extension = &pulumirpc.PackageParameterization{Name: pz.Name, Version: pz.Version, Value: pz.Value}
	}
	return dep, nil
}

// GetRequiredPackages reports the resource-plugin packages installed for the program. Scan errors are
// only logged, like upstream: plugin pre-installation is best effort.
func (h *host) GetRequiredPackages(
	_ context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	info := programInfo(req.GetInfo(), "", "")
	deps, err := scanResourcePackages(info.ProgramDirectory)
	if err != nil {
		logging.V(3).Infof("errors while discovering plugins: %v", err)
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: deps}, nil
}

// GetRequiredPlugins is the deprecated form of GetRequiredPackages.
func (h *host) GetRequiredPlugins(
	_ context.Context, req *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	info := programInfo(req.GetInfo(), req.GetPwd(), req.GetProgram())
	deps, err := scanResourcePackages(info.ProgramDirectory)
	if err != nil {
		logging.V(3).Infof("errors while discovering plugins: %v", err)
	}
	plugins := make([]*pulumirpc.PluginDependency, 0, len(deps))
	for _, d := range deps {
		if d.Parameterization != nil {
			continue // cannot be expressed as a plain plugin dependency
		}
		plugins = append(plugins, &pulumirpc.PluginDependency{
			Name: d.Name, Kind: d.Kind, Version: d.Version, Server: d.Server,
		})
	}
	return &pulumirpc.GetRequiredPluginsResponse{Plugins: plugins}, nil
}

// findPackageRoot walks up from dir to the nearest directory containing package.json.
func findPackageRoot(dir string) (string, error) {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "package.json")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no package.json found in %s or any parent directory", dir)
		}
	}
}

// installedVersion finds the version of `name` that node would load from dir.
func installedVersion(dir, name string) (string, bool) {
	for d := dir; ; d = filepath.Dir(d) {
		if p, err := readPackageJSON(filepath.Join(d, "node_modules", name, "package.json")); err == nil {
			return p.Version, true
		}
		if filepath.Dir(d) == d {
			return "", false
		}
	}
}

// GetProgramDependencies lists the program's npm dependencies (for `pulumi about`) with their installed
// versions; with TransitiveDependencies it lists every package in the project's node_modules.
func (h *host) GetProgramDependencies(
	_ context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	info := programInfo(req.GetInfo(), req.GetPwd(), req.GetProgram())
	root, err := findPackageRoot(info.ProgramDirectory)
	if err != nil {
		return nil, err
	}
	versions := map[string]string{}
	if req.GetTransitiveDependencies() {
		nm := filepath.Join(root, "node_modules")
		walkPackages(nm, nodeModulesDir, func(pkgDir string) {
			if p, err := readPackageJSON(filepath.Join(pkgDir, "package.json")); err == nil && p.Name != "" {
				if _, dup := versions[p.Name]; !dup {
					versions[p.Name] = p.Version
				}
			}
		})
	} else {
		p, err := readPackageJSON(filepath.Join(root, "package.json"))
		if err != nil {
			return nil, err
		}
		for _, m := range []map[string]string{p.Dependencies, p.DevDependencies} {
			for name, declared := range m {
				if v, ok := installedVersion(root, name); ok {
					versions[name] = v
				} else {
					versions[name] = declared
				}
			}
		}
	}
	names := make([]string, 0, len(versions))
	for n := range versions {
		names = append(names, n)
	}
	sort.Strings(names)
	deps := make([]*pulumirpc.DependencyInfo, 0, len(names))
	for _, n := range names {
		deps = append(deps, &pulumirpc.DependencyInfo{Name: n, Version: versions[n]})
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}
