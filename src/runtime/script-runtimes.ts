// The runtimes aws:executeScript names, and for each the interpreter that runs it here and the wrapper
// that calls the user's code and writes how it ended to a result file (the script's own stdout stays its
// own). A result file is one JSON object: {"status":"ok","payload":...}, {"status":"error","error","traceback"}
// or {"status":"refused","error"} (a return value that is not JSON).

export interface ScriptRuntime {
  language: 'Python' | 'PowerShell';
  /** The interpreter looked for on PATH. */
  interpreter: string;
  /** The file the user's Script is written to, and the wrapper's. */
  scriptFile: string;
  wrapperFile: string;
  wrapper: string;
  /** The interpreter's arguments, given the wrapper's path and the temporary folder. */
  args(wrapperPath: string, dir: string, handler: string): string[];
}

// The wrapper reads the step's input from input.json ({events, context}), imports script.py as a module,
// calls the handler and writes result.json. Exceptions and SystemExit in user code are reported, not raised.
const PYTHON_WRAPPER = String.raw`import importlib.util, json, os, sys, traceback

def main():
    folder, handler_name = sys.argv[1], sys.argv[2]
    result_path = os.path.join(folder, 'result.json')
    script_path = os.path.join(folder, 'script.py')

    def write(envelope_text):
        with open(result_path, 'w', encoding='utf-8') as out:
            out.write(envelope_text)

    try:
        with open(os.path.join(folder, 'input.json'), encoding='utf-8') as f:
            given = json.load(f)
        sys.path.insert(0, folder)
        spec = importlib.util.spec_from_file_location('script', script_path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        handler = getattr(module, handler_name, None)
        if not callable(handler):
            write(json.dumps({'status': 'error', 'error': 'Handler %s is not a function of the script.' % handler_name, 'traceback': ''}))
            return
        value = handler(given['events'], given['context'])
    except BaseException as error:
        # Only the script's own frames, named script.py: the wrapper's and the temporary path tell the user nothing.
        frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == script_path]
        trace = ''.join(traceback.format_list(frames)).replace(script_path, 'script.py')
        write(json.dumps({'status': 'error', 'error': '%s: %s' % (type(error).__name__, error), 'traceback': trace}))
        return
    try:
        text = json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as error:
        write(json.dumps({'status': 'refused', 'error': 'The handler returned a value that is not JSON (%s): %s' % (type(value).__name__, error)}))
        return
    write('{"status":"ok","payload":' + text + '}')

main()
`;

// AWS's PowerShell runtime has no handler: the script runs as a whole, reads its input from
// $env:InputPayload (JSON), and what it outputs is the payload (one object as itself, several as a list).
const POWERSHELL_WRAPPER = String.raw`param([string]$Folder)
$ErrorActionPreference = 'Stop'
$resultPath = Join-Path $Folder 'result.json'
try {
  $out = @(& (Join-Path $Folder 'script.ps1'))
  $value = if ($out.Count -eq 0) { $null } elseif ($out.Count -eq 1) { $out[0] } else { ,$out }
  $json = ConvertTo-Json -InputObject $value -Depth 32 -Compress
  if ($null -eq $json) { $json = 'null' }
  [System.IO.File]::WriteAllText($resultPath, '{"status":"ok","payload":' + $json + '}')
} catch {
  $report = @{ status = 'error'; error = ($_.Exception.GetType().Name + ': ' + $_.Exception.Message); traceback = [string]$_.ScriptStackTrace }
  [System.IO.File]::WriteAllText($resultPath, (ConvertTo-Json -InputObject $report -Compress))
}
`;

const PYTHON: ScriptRuntime = {
  language: 'Python', interpreter: 'python3', scriptFile: 'script.py', wrapperFile: 'mw_wrapper.py', wrapper: PYTHON_WRAPPER,
  // -I: isolated (no user site-packages, no PYTHON* variables, the script's folder not on sys.path first).
  args: (wrapperPath, dir, handler) => ['-I', wrapperPath, dir, handler],
};

const POWERSHELL: ScriptRuntime = {
  language: 'PowerShell', interpreter: 'pwsh', scriptFile: 'script.ps1', wrapperFile: 'mw_wrapper.ps1', wrapper: POWERSHELL_WRAPPER,
  args: (wrapperPath, dir) => ['-NoLogo', '-NoProfile', '-NonInteractive', '-File', wrapperPath, dir],
};

/**
 * The runtime a step's `Runtime` names: python3.N (AWS lists 3.8 to 3.11; 3.6 and 3.7 no longer run there)
 * and PowerShell 7.N. Whatever the minor version asked, the interpreter found here runs it.
 */
export function scriptRuntime(name: string): ScriptRuntime | undefined {
  const python = /^python3\.(\d+)$/.exec(name);
  if (python) return Number(python[1]) >= 8 ? PYTHON : undefined;
  if (/^PowerShell 7(\.\d+)?$/.test(name)) return POWERSHELL;
  return undefined;
}

export const RUNTIME_NAMES = 'python3.8 to python3.11 (or later python3.N), PowerShell 7.0 to 7.4 (PowerShell 7.N)';
