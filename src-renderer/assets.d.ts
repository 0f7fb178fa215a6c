/** Vite resolves `?url` imports to the built asset's URL (relative, so file:// and / both work). */
declare module '*.wav?url' {
  const url: string;
  export default url;
}
