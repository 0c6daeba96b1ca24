import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import bcrypt from 'bcrypt';
import { createApp } from '../../src/app.factory.js';
import { PrismaService } from '../../src/prisma/prisma.service.js';
import { uniqueEmail } from './helpers.js';

export { uniqueEmail };

export interface TestApp {
  app: INestApplication;
  http: ReturnType<typeof request>;
  prisma: PrismaService;
  close(): Promise<void>;
}

/** The real app (same factory as main.ts) on the scratch database, listening on an ephemeral port. */
export async function startTestApp(): Promise<TestApp> {
  const app = await createApp({ logger: false });
  await app.init();
  const server = app.getHttpServer();
  return { app, http: request(server), prisma: app.get(PrismaService), close: () => app.close() };
}

export async function registerCustomer(t: TestApp, tag = 'customer'): Promise<{ token: string; id: string; email: string }> {
  const email = uniqueEmail(tag);
  const res = await t.http
    .post('/auth/register')
    .send({ email, password: 'password123', name: 'Test Customer', phone: '+919800000000' })
    .expect(201);
  return { token: res.body.accessToken, id: res.body.user.id, email };
}

/** Admins cannot self-register; tests create one directly, then log in through the API. */
export async function createAdmin(t: TestApp): Promise<{ token: string; id: string }> {
  const email = uniqueEmail('admin');
  const user = await t.prisma.user.create({
    data: { email, passwordHash: await bcrypt.hash('adminpass123', 4), name: 'Admin', role: 'ADMIN' },
  });
  const res = await t.http.post('/auth/login').send({ email, password: 'adminpass123' }).expect(200);
  return { token: res.body.accessToken, id: user.id };
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
