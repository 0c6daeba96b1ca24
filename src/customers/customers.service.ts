import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { activeBrandId } from '../common/context/brand-context.js';
import { escapeLike } from '../prisma/like-pattern.js';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../common/actor.js';
import { InvalidInputError, NotFoundError } from '../common/errors/domain-errors.js';
import { PHONE_FORMAT, nationalPhone, stripPhone } from '../orders/dto/normalize.js';
import type {
  CustomerPageResponse,
  CustomerResponse,
  CustomerSummaryResponse,
  ListCustomersQueryDto,
  UpdateCustomerDto,
} from './dto/customers.dto.js';

interface CustomerRow {
  phone: string;
  name: string;
  email: string | null;
  orders: number;
  first_order_at: Date;
  last_order_at: Date;
  tags: string[] | null;
  note: string | null;
  rto_count?: number | null;
  lifetime_value: { currency: string; amountMinor: number }[] | null;
}

/**
 * Customers, built from orders: one per phone number given at checkout (the name and email of their latest order),
 * with what they paid (the money rules' applied captures less confirmed refunds, from capture_balances) and the note
 * and tags staff keep in customer_profiles.
 */
@Injectable()
export class CustomersService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
  ) {}

  async list(query: ListCustomersQueryDto): Promise<CustomerPageResponse> {
    const conditions: Prisma.Sql[] = [];
    if (query.q) {
      const phone = stripPhone(query.q);
      const pattern = `%${escapeLike(query.q)}%`;
      conditions.push(
        PHONE_FORMAT.test(phone)
          ? Prisma.sql`o.phone LIKE ${`%${escapeLike(phone.replace(/^\+/, ''))}`}`
          : Prisma.sql`(o.customer_name ILIKE ${pattern} OR o.email ILIKE ${pattern})`,
      );
    }
    const where = conditions.length ? Prisma.sql`WHERE ${Prisma.join(conditions, ' AND ')}` : Prisma.empty;
    const tagFilter = query.tag ? Prisma.sql`WHERE ${query.tag} = ANY(p.tags)` : Prisma.empty;
    const rows = await this.prisma.$queryRaw<CustomerRow[]>`
      WITH c AS (
        SELECT o.phone, count(*)::int AS orders, min(o.created_at) AS first_order_at, max(o.created_at) AS last_order_at,
               (array_agg(o.customer_name ORDER BY o.created_at DESC))[1] AS name,
               (array_agg(o.email ORDER BY o.created_at DESC) FILTER (WHERE o.email IS NOT NULL))[1] AS email
        FROM orders o ${where} GROUP BY o.phone
      )
      SELECT c.*, p.tags, p.note, ${lifetimeValue(Prisma.sql`c.phone`)} AS lifetime_value
      FROM c LEFT JOIN customer_profiles p ON p.phone = c.phone ${tagFilter}
      ORDER BY c.last_order_at DESC, c.phone
      LIMIT ${query.limit} OFFSET ${(query.page - 1) * query.limit}`;
    return { items: rows.map(toSummary), page: query.page, limit: query.limit };
  }

  async get(phoneInput: string): Promise<CustomerResponse> {
    const phone = checkedPhone(phoneInput);
    const [row] = await this.prisma.$queryRaw<CustomerRow[]>`
      SELECT o.phone, count(*)::int AS orders, min(o.created_at) AS first_order_at, max(o.created_at) AS last_order_at,
             (array_agg(o.customer_name ORDER BY o.created_at DESC))[1] AS name,
             (array_agg(o.email ORDER BY o.created_at DESC) FILTER (WHERE o.email IS NOT NULL))[1] AS email,
             (SELECT tags FROM customer_profiles WHERE phone = ${phone}) AS tags,
             (SELECT note FROM customer_profiles WHERE phone = ${phone}) AS note,
             (SELECT count FROM customer_rto_counts WHERE phone_key = ${nationalPhone(phone)}) AS rto_count,
             ${lifetimeValue(Prisma.sql`${phone}`)} AS lifetime_value
      FROM orders o WHERE o.phone = ${phone} GROUP BY o.phone`;
    if (!(row as CustomerRow | undefined)) throw new NotFoundError('Customer', phone);
    return { ...toSummary(row), note: row.note, rtoCount: row.rto_count ?? 0 };
  }

  /** Note and tags; audited with what changed. */
  async update(phoneInput: string, dto: UpdateCustomerDto, actor: Actor): Promise<CustomerResponse> {
    const phone = checkedPhone(phoneInput);
    if (dto.note === undefined && dto.tags === undefined) throw new InvalidInputError('Nothing to update: send note or tags');
    const tags = dto.tags && [...new Set(dto.tags.map((t) => t.trim().toLowerCase()))];
    await this.prisma.$transaction(async (tx) => {
      if (!(await tx.order.findFirst({ where: { phone }, select: { id: true } }))) throw new NotFoundError('Customer', phone);
      const before = await tx.customerProfile.findFirst({ where: { phone } });
      const data = { ...(dto.note !== undefined && { note: dto.note?.trim() || null }), ...(tags && { tags }) };
      await tx.customerProfile.upsert({
        where: { brandId_phone: { brandId: activeBrandId(), phone } },
        create: { phone, ...data },
        update: data,
      });
      await this.audit.record(tx, {
        actor,
        action: 'customer.updated',
        entityType: 'customer',
        entityId: phone,
        before: before ? { note: before.note, tags: before.tags } : null,
        after: data,
      });
    });
    return this.get(phone);
  }
}

/** Per currency: applied captures less their confirmed refunds, over the customer's orders (the money rules' view). */
const lifetimeValue = (phone: Prisma.Sql) => Prisma.sql`(
  SELECT json_agg(json_build_object('currency', v.currency, 'amountMinor', v.amount_minor) ORDER BY v.currency)
  FROM (
    SELECT b.currency, (SUM(b.captured_minor) - SUM(b.refunded_minor))::bigint AS amount_minor
    FROM orders o2 JOIN capture_balances b ON b.order_id = o2.id AND b.currency = o2.currency AND b.applied
    WHERE o2.phone = ${phone} GROUP BY b.currency
  ) v)`;

function checkedPhone(input: string): string {
  const phone = stripPhone(input);
  if (!PHONE_FORMAT.test(phone)) throw new NotFoundError('Customer', input.slice(0, 32));
  return phone;
}

function toSummary(row: CustomerRow): CustomerSummaryResponse {
  return {
    phone: row.phone,
    name: row.name,
    email: row.email,
    orders: row.orders,
    lifetimeValue: (row.lifetime_value ?? []).map((v) => ({ currency: v.currency, amountMinor: v.amountMinor })),
    firstOrderAt: row.first_order_at,
    lastOrderAt: row.last_order_at,
    tags: row.tags ?? [],
  };
}
