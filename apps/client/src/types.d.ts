/** Python sources bundled as text (esbuild's `text` loader), e.g. the runtime's kernel.py. */
declare module '*.py' {
  const source: string;
  export default source;
}
