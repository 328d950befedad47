// Planted: code from strings.
export function loadPlugin(source: string): unknown {
  const factory = new Function(source);
  return factory();
}

export function evaluate(expression: string): unknown {
  return eval(expression);
}

// Planted (found by the deep pass): an `any` from JSON.parse flows unchecked into a typed call.
export function pluginName(manifest: string): string {
  return normalise(JSON.parse(manifest));
}

function normalise(name: string): string {
  return name.trim().toLowerCase();
}
