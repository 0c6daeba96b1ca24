export default async function globalTeardown() {
  await globalThis.__PROVIDER_SIMULATOR__?.stop();
  await globalThis.__SCRATCH_DB__?.drop();
}
