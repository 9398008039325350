// esbuild loads style.css as text (--loader:.css=text)
declare module "*.css" {
  const text: string;
  export default text;
}
