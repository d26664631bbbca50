import { describe, expect, it } from 'vitest';
import { debianPackage, describeMissingPackage, isCourseModule, missingPackage } from './missing-package.ts';

/** As seal.py prints it from the sandbox (Python 3.11), through a helper module of the course. */
const TRACEBACK = `Traceback (most recent call last):
  File "seal.py", line 190, in main
  File "seal.py", line 95, in seal_module
  File "seal.py", line 40, in import_module
  File "/usr/lib/python3.11/importlib/__init__.py", line 126, in import_module
    return _bootstrap._gcd_import(name[level:], package, level)
           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  File "<frozen importlib._bootstrap>", line 1204, in _gcd_import
  File "/course/modules/corrections/exo_regression.py", line 4, in <module>
    from outils import ajuster
  File "/course/modules/outils.py", line 2, in <module>
    from sklearn.linear_model import LinearRegression
ModuleNotFoundError: No module named 'sklearn'
`;
const FILES = ['modules/corrections/exo_regression.py', 'modules/outils.py', 'modules/geometrie/__init__.py'];
const course = (name: string) => isCourseModule(FILES, name);

describe('missingPackage', () => {
  it('names the package, its Debian package and the innermost import in the course', () => {
    const missing = missingPackage(TRACEBACK, ['/course'], course);
    expect(missing).toEqual({ name: 'sklearn', debian: 'python3-sklearn', file: 'modules/outils.py', line: 2 });
    expect(describeMissingPackage(missing!, 'corrections.exo_regression')).toBe(
      "modules/outils.py (line 2) needs the Python package 'sklearn', which this server does not have " +
        '(install python3-sklearn: apt-get install python3-sklearn)',
    );
  });

  it('finds the course under another root (no sandbox), and works without a course frame', () => {
    const host = TRACEBACK.replaceAll('/course/', '/tmp/carnet-courses-x/import-y/');
    expect(missingPackage(host, ['/course', '/tmp/carnet-courses-x/import-y'], course)?.file).toBe('modules/outils.py');
    const bare = missingPackage("ModuleNotFoundError: No module named 'numpy'\n", ['/course'], course)!;
    expect(describeMissingPackage(bare, 'corrections.exo_x')).toMatch(
      /^corrections\.exo_x needs the Python package 'numpy', .*\(install python3-numpy/,
    );
  });

  it("is not about a package when the course's own module is missing, or a submodule", () => {
    const own = (name: string) => TRACEBACK.replace("No module named 'sklearn'", `No module named '${name}'`);
    expect(missingPackage(own('corrections'), ['/course'], course)).toBeNull();
    expect(missingPackage(own('geometrie'), ['/course'], course)).toBeNull();
    expect(missingPackage(own('outils'), ['/course'], course)).toBeNull();
    expect(missingPackage(own('numpy.typing'), ['/course'], course)).toBeNull();
    expect(missingPackage('RuntimeError: module cassé\n', ['/course'], course)).toBeNull();
  });

  it('knows the Debian names that differ from the import name', () => {
    expect(['PIL', 'cv2', 'yaml', 'numpy', 'Bio_tools'].map(debianPackage)).toEqual([
      'python3-pil',
      'python3-opencv',
      'python3-yaml',
      'python3-numpy',
      'python3-bio-tools',
    ]);
  });
});
