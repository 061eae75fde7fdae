import { withQuietBundling } from '../../infra/quiet-bundling';

const fakeStream = () => {
  const lines: string[] = [];
  const stream = { write: (chunk: unknown) => lines.push(String(chunk)) > 0 } as unknown as NodeJS.WriteStream;
  return { stream, lines };
};

describe('synth stays quiet', () => {
  it("drops CDK's `Bundling asset …` lines while the app synthesizes, and passes every other line", () => {
    const { stream, lines } = fakeStream();
    const result = withQuietBundling(() => {
      stream.write('Bundling asset VpcRouteFailover/Default/Workflow/Notify/Function/Code/Stage...\n');
      stream.write('▲ [WARNING] something esbuild says\n');
      stream.write('NOTE: no failover config of yours was found\n');
      return 42;
    }, stream);
    expect(result).toBe(42);
    expect(lines).toEqual(['▲ [WARNING] something esbuild says\n', 'NOTE: no failover config of yours was found\n']);
  });

  it('puts the stream back afterwards, also when synth throws', () => {
    const { stream, lines } = fakeStream();
    expect(() =>
      withQuietBundling(() => {
        throw new Error('bad config');
      }, stream),
    ).toThrow('bad config');
    stream.write('Bundling asset A/B...\n');
    expect(lines).toEqual(['Bundling asset A/B...\n']);
  });
});
