/**
 * CDK's asset staging writes `Bundling asset <path>...` to stderr for every Lambda function it bundles, whatever the
 * CLI's `--quiet` says (aws-cdk-lib core/lib/asset-staging). Synth stays quiet by dropping exactly those lines while
 * the app synthesizes; every other line (esbuild's warnings, errors, the config NOTE) passes. `VERBOSE_BUNDLING=1`
 * keeps them. Puts the stream back when the run ends.
 */
export const withQuietBundling = <T>(run: () => T, stream: NodeJS.WriteStream = process.stderr): T => {
  const write = stream.write;
  stream.write = ((chunk: unknown, ...rest: unknown[]) =>
    typeof chunk === 'string' && BUNDLING_LINE.test(chunk)
      ? true
      : (write as (...args: unknown[]) => boolean).call(stream, chunk, ...rest)) as typeof stream.write;
  try {
    return run();
  } finally {
    stream.write = write;
  }
};

const BUNDLING_LINE = /^Bundling asset \S+\.\.\.\n$/;
