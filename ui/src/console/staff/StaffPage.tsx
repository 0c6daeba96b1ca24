import { unwrap, type Schemas } from '@orderline/client';
import { useState } from 'preact/hooks';
import { Badge } from '../../components/Badge.js';
import { Button } from '../../components/Button.js';
import { ConfirmDialog } from '../../components/Dialog.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { Field } from '../../components/Field.js';
import { formatDateTime } from '../../lib/time.js';
import { useAsync } from '../../lib/use-async.js';
import { api, type User } from '../session.js';
import styles from '../Page.module.css';

type Member = Schemas['StaffMemberResponse'];
type Pending = { kind: 'disable' | 'enable'; member: Member } | { kind: 'password'; member: Member };

/**
 * The brand's staff accounts. Everyone sees who has access; the owner adds admins, disables and enables them, and
 * sets a new password for one who forgot theirs (each change audited, sessions ended where it matters).
 */
export function StaffPage({ user }: { user: User }) {
  const staff = useAsync(() => unwrap(api.GET('/admin/staff')), []);
  const [pending, setPending] = useState<Pending>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [password, setPassword] = useState('');
  const [notice, setNotice] = useState<string>();

  async function confirm() {
    if (!pending) return;
    const path = { id: pending.member.id };
    setBusy(true);
    setError(undefined);
    try {
      if (pending.kind === 'password') {
        await unwrap(api.POST('/admin/staff/{id}/password', { params: { path }, body: { password } }));
        setNotice(`New password set for ${pending.member.email}; they were signed out everywhere.`);
      } else if (pending.kind === 'disable') {
        await unwrap(api.POST('/admin/staff/{id}/disable', { params: { path } }));
        setNotice(`${pending.member.email} is disabled and was signed out.`);
      } else {
        await unwrap(api.POST('/admin/staff/{id}/enable', { params: { path } }));
        setNotice(`${pending.member.email} can sign in again.`);
      }
      setPending(undefined);
      setPassword('');
      staff.reload();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class={styles.page}>
      <div class={styles.head}>
        <h1>Staff</h1>
      </div>
      {notice && (
        <p class={styles.done} role="status">
          {notice}
        </p>
      )}
      {staff.error !== undefined && <ErrorNotice error={staff.error} onRetry={staff.reload} />}
      <section class={styles.card} aria-labelledby="staff-title" aria-busy={staff.loading}>
        <h2 id="staff-title">Staff accounts</h2>
        {!user.owner && <p class={styles.note}>Only the brand owner can add staff or change their accounts.</p>}
        <table class={styles.table}>
          <thead>
            <tr>
              <th>Name</th>
              <th>Email</th>
              <th>Role</th>
              <th>Status</th>
              <th>Since</th>
              {user.owner && <th aria-label="Actions" />}
            </tr>
          </thead>
          <tbody>
            {(staff.data ?? []).map((member) => {
              const changeable = user.owner && !member.owner && member.id !== user.id;
              return (
                <tr key={member.id}>
                  <td data-label="Name">{member.name}</td>
                  <td data-label="Email">{member.email}</td>
                  <td data-label="Role">{member.owner ? 'Owner' : 'Admin'}</td>
                  <td data-label="Status">
                    {member.disabledAt ? <Badge tone="neutral">Disabled</Badge> : <Badge tone="success">Active</Badge>}
                  </td>
                  <td data-label="Since">{formatDateTime(member.createdAt)}</td>
                  {user.owner && (
                    <td>
                      {changeable && (
                        <div class={styles.rowActions}>
                          <Button size="small" onClick={() => setPending({ kind: 'password', member })}>
                            Reset password…
                          </Button>
                          {member.disabledAt ? (
                            <Button size="small" onClick={() => setPending({ kind: 'enable', member })}>
                              Enable…
                            </Button>
                          ) : (
                            <Button size="small" variant="danger" onClick={() => setPending({ kind: 'disable', member })}>
                              Disable…
                            </Button>
                          )}
                        </div>
                      )}
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>

      {user.owner && (
        <AddStaff
          onAdded={(member) => {
            setNotice(`${member.email} can now sign in to the console.`);
            staff.reload();
          }}
        />
      )}

      {pending && (
        <ConfirmDialog
          title={
            pending.kind === 'password'
              ? `New password for ${pending.member.email}`
              : `${pending.kind === 'disable' ? 'Disable' : 'Enable'} ${pending.member.email}?`
          }
          confirmLabel={pending.kind === 'password' ? 'Set password' : pending.kind === 'disable' ? 'Disable account' : 'Enable account'}
          tone={pending.kind === 'disable' ? 'danger' : 'primary'}
          busy={busy}
          error={error}
          onConfirm={() => void confirm()}
          onClose={() => {
            setPending(undefined);
            setError(undefined);
            setPassword('');
          }}
        >
          {pending.kind === 'password' ? (
            <Field
              label="New password"
              type="password"
              autoComplete="new-password"
              minLength={8}
              maxLength={72}
              required
              autoFocus
              hint="8 to 72 characters. Give it to them privately; they are signed out everywhere."
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
          ) : pending.kind === 'disable' ? (
            <p>They are signed out at once and cannot sign in until an owner enables the account again.</p>
          ) : (
            <p>They can sign in again with their current password.</p>
          )}
        </ConfirmDialog>
      )}
    </div>
  );
}

function AddStaff({ onAdded }: { onAdded: (member: Member) => void }) {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const member = await unwrap(api.POST('/admin/staff', { body: { email, name, password } }));
      setEmail('');
      setName('');
      setPassword('');
      onAdded(member);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form class={styles.card} onSubmit={(e) => void submit(e)} aria-labelledby="add-staff-title">
      <h2 id="add-staff-title">Add an admin</h2>
      {error !== undefined && <ErrorNotice error={error} />}
      <div class={styles.fields}>
        <Field label="Name" required maxLength={120} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <Field label="Email" type="email" required autoComplete="off" value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        <Field
          label="First password"
          type="password"
          required
          minLength={8}
          maxLength={72}
          autoComplete="new-password"
          hint="8 to 72 characters; give it to them privately"
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
      </div>
      <div class={styles.actions}>
        <Button type="submit" variant="primary" busy={busy}>
          Add admin
        </Button>
      </div>
    </form>
  );
}
