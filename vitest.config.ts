import { defineConfig } from 'vitest/config';

// Two projects: `fast` (pure code and quick tool calls) and `slow` (real sbuild in a real
// chroot, real reprepro, soak). Slow tests are named *.slow.test.ts and share one cached chroot
// tarball per suite, created once by the global setup.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'fast',
          include: ['pipeline/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['**/*.slow.test.ts', 'node_modules/**', 'dist/**'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'slow',
          include: ['pipeline/**/*.slow.test.ts', 'test/**/*.slow.test.ts'],
          globalSetup: ['test/setup/chroots.ts', 'test/setup/pbuilder.ts'],
          testTimeout: 900_000,
          hookTimeout: 900_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
