// Preloaded into Node (node -r) before Go's wasm_exec_node.js: it publishes
// the Go program's memory as globalThis.flowvizGoMemory, as the web page's
// loader does, so that flow/mlp's WebAssembly SIMD kernel runs under Node
// too (scripts/go_js_wasm_exec).
const instantiate = WebAssembly.instantiate;
WebAssembly.instantiate = async function (...args) {
  const result = await instantiate.apply(this, args);
  const instance = result.instance || result;
  if (instance.exports && instance.exports.mem instanceof WebAssembly.Memory) {
    globalThis.flowvizGoMemory = instance.exports.mem;
  }
  return result;
};
