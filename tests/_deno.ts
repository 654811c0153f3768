/** What a `deno` subprocess printed and how it ended. */
export interface DenoOutput {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `deno <args>` (this Deno) without colours and collects its output. */
export async function runDeno(
  args: string[],
  options: { cwd?: string } = {},
): Promise<DenoOutput> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: options.cwd,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const text = new TextDecoder();
  return {
    code: out.code,
    stdout: text.decode(out.stdout),
    stderr: text.decode(out.stderr),
  };
}
