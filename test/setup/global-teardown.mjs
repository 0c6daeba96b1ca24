export default async function globalTeardown() {
  await globalThis.__SCRATCH_DB__?.drop();
}
