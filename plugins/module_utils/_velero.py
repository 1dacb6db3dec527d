# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE to fleetops.kurator: no compatibility promise outside the collection.
"""Velero plans, pure Python: cron validation as Velero parses it, the user's backup policy
translated into a Velero Schedule (and a Kurator Backup), and the keep-last-N prune plan.

Velero (v1.18) parses Schedule.spec.schedule with robfig/cron v3 ``ParseStandard``: five
fields (minute hour day-of-month month day-of-week), or a descriptor (@yearly, @annually,
@monthly, @weekly, @daily, @midnight, @hourly, @every <duration>), optionally after
``CRON_TZ=<zone>`` or ``TZ=<zone>``. An invalid one leaves the Schedule in phase
FailedValidation; here it is refused before anything is sent.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re

VELERO_API = 'velero.io/v1'
KURATOR_BACKUP_API = 'backup.kurator.dev/v1alpha1'
SCHEDULE_LABEL = 'velero.io/schedule-name'
MANAGED_BY = {'app.kubernetes.io/managed-by': 'fleetops-kurator'}

# (name, low, high, names)
_FIELDS = (
    ('minute', 0, 59, None),
    ('hour', 0, 23, None),
    ('day of month', 1, 31, None),
    ('month', 1, 12, dict((m, i + 1) for i, m in enumerate(
        ('jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec')))),
    ('day of week', 0, 6, dict((d, i) for i, d in enumerate(('sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat')))),
)
_DESCRIPTORS = {
    '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0',
    '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *',
}
_GO_DURATION = re.compile(r'(?:(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+')
_GO_DURATION_PART = re.compile(r'(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)')
_UNIT_SECONDS = {'ns': 1e-9, 'us': 1e-6, 'µs': 1e-6, 'ms': 1e-3, 's': 1, 'm': 60, 'h': 3600}


class PlanError(ValueError):
    """Bad input, with the field and what was expected."""


def go_duration_seconds(text):
    """Seconds of a Go time.Duration string ('168h', '1h30m', '90s'), or None when it is not one."""
    if not isinstance(text, str) or not text or not _GO_DURATION.fullmatch(text):
        return None
    return sum(float(n) * _UNIT_SECONDS[u] for n, u in _GO_DURATION_PART.findall(text))


def go_duration(seconds):
    """A Go duration string as Velero stores it: 168h0m0s."""
    seconds = int(round(seconds))
    return '%dh%dm%ds' % (seconds // 3600, seconds % 3600 // 60, seconds % 60)


class Cron(object):
    """A parsed schedule: next(after) gives the next time it fires (UTC; the zone prefix is kept as text)."""

    def __init__(self, text, sets=None, every=None, zone=None, star_dom=False, star_dow=False):
        self.text, self.sets, self.every, self.zone = text, sets, every, zone
        self.star_dom, self.star_dow = star_dom, star_dow

    def _day_matches(self, day):
        dom = day.day in self.sets[2]
        dow = (day.weekday() + 1) % 7 in self.sets[4]
        # robfig/cron: when either day field is '*' (or '?'), both must match; otherwise either.
        if self.star_dom or self.star_dow:
            return dom and dow
        return dom or dow

    def next(self, after):
        if self.every is not None:
            return after + datetime.timedelta(seconds=self.every)
        t = (after + datetime.timedelta(minutes=1)).replace(second=0, microsecond=0)
        for dummy in range(366 * 5):  # five years, as robfig gives up
            if t.month in self.sets[3] and self._day_matches(t):
                for hour in sorted(h for h in self.sets[1] if h >= t.hour):
                    start = t.minute if hour == t.hour else 0
                    minutes = [m for m in sorted(self.sets[0]) if m >= start]
                    if minutes:
                        return t.replace(hour=hour, minute=minutes[0])
            t = (t + datetime.timedelta(days=1)).replace(hour=0, minute=0)
        return None

    def longest_gap(self, count, start=None):
        """The longest time in seconds between consecutive runs among the next count runs."""
        t = start or datetime.datetime(2026, 1, 1)
        gaps = []
        for dummy in range(count):
            nxt = self.next(t)
            if nxt is None:
                break
            if dummy:
                gaps.append((nxt - t).total_seconds())
            t = nxt
        return max(gaps) if gaps else None


def _field(text, index):
    name, low, high, names = _FIELDS[index]
    values = set()

    def number(token):
        token_l = token.lower()
        if names and token_l in names:
            return names[token_l]
        if not token.isdigit():
            raise PlanError('%s: %r is not a number%s' % (
                name, token, ' or a name (%s)' % ', '.join(k.upper() for k in names) if names else ''))
        return int(token)

    for part in text.split(','):
        step = 1
        rng = part
        if '/' in part:
            rng, step_text = part.split('/', 1)
            if not step_text.isdigit() or int(step_text) == 0:
                raise PlanError('%s: step %r in %r is not a positive number' % (name, step_text, part))
            step = int(step_text)
        if rng in ('*', '?'):
            start, end = low, high
        elif '-' in rng:
            a, b = rng.split('-', 1)
            start, end = number(a), number(b)
        elif rng:
            start = number(rng)
            end = high if '/' in part else start
        else:
            raise PlanError('%s: empty value in %r' % (name, text))
        if start < low or end > high:
            raise PlanError('%s: %r is out of range %d-%d' % (name, part, low, high))
        if start > end:
            raise PlanError('%s: %r starts after it ends' % (name, part))
        values.update(range(start, end + 1, step))
    return values


def parse_cron(text):
    """The Cron of a Velero schedule string; PlanError saying what is wrong otherwise."""
    if not isinstance(text, str) or not text.strip():
        raise PlanError('an empty schedule (Velero: "Schedule must be a non-empty valid Cron expression")')
    spec = text.strip()
    zone = None
    if spec.startswith(('CRON_TZ=', 'TZ=')):
        head, sep, spec = spec.partition(' ')
        zone = head.split('=', 1)[1]
        if not zone or not re.fullmatch(r'[A-Za-z0-9_+\-/]+', zone):
            raise PlanError('%r: the time zone %r is not a zone name such as Asia/Shanghai' % (text, zone))
        spec = spec.strip()
    if spec.startswith('@'):
        if spec.startswith('@every '):
            seconds = go_duration_seconds(spec[len('@every '):].strip())
            if not seconds:
                raise PlanError('%r: @every needs a positive Go duration such as 24h or 1h30m' % text)
            return Cron(text, every=max(1, int(seconds)), zone=zone)
        if spec not in _DESCRIPTORS:
            raise PlanError('%r: unknown descriptor (known: %s, @every <duration>)' % (text, ', '.join(sorted(_DESCRIPTORS))))
        spec = _DESCRIPTORS[spec]
    fields = spec.split()
    if len(fields) != 5:
        raise PlanError('%r has %d fields; expected 5 (minute hour day-of-month month day-of-week), e.g. "0 2 * * *"'
                        % (text, len(fields)))
    sets = [_field(f, i) for i, f in enumerate(fields)]
    return Cron(text, sets=sets, zone=zone, star_dom=fields[2] in ('*', '?'), star_dow=fields[4] in ('*', '?'))


def _dns_name(value, what, max_length=63):
    if not isinstance(value, str) or not re.fullmatch(r'[a-z0-9]([-a-z0-9]*[a-z0-9])?', value) or len(value) > max_length:
        raise PlanError('%s %r: expected a DNS-1123 label (lower-case letters, digits and "-", at most %d characters)'
                        % (what, value, max_length))


def from_user_policy(policy):
    """The user's BackupPolicy (which does not exist upstream) as this module's options, with what was translated."""
    if not isinstance(policy, dict):
        raise PlanError('policy: expected the BackupPolicy mapping (apiVersion, kind, metadata, spec)')
    notes = []
    if policy.get('kind') not in (None, 'BackupPolicy'):
        raise PlanError('policy.kind %r: expected BackupPolicy' % policy.get('kind'))
    spec = policy.get('spec') or {}
    known = ('schedule', 'retentionPolicy', 'backupContent', 'storageLocation')
    unknown = sorted(set(spec) - set(known))
    if unknown:
        raise PlanError('policy.spec has unknown keys %s; expected %s' % (', '.join(unknown), ', '.join(known)))
    out = {'name': (policy.get('metadata') or {}).get('name'), 'schedule': spec.get('schedule')}
    notes.append('BackupPolicy (%s) does not exist upstream, in Kurator or Velero: it became a Velero Schedule '
                 '(velero.io/v1) per cluster.' % (policy.get('apiVersion') or 'no apiVersion'))
    retention = spec.get('retentionPolicy') or {}
    if 'keepLast' in retention:
        out['keep_last'] = retention['keepLast']
    content = spec.get('backupContent') or {}
    if 'namespaces' in content:
        out['included_namespaces'] = content['namespaces']
        notes.append('backupContent.namespaces became the Schedule\'s template.includedNamespaces.')
    location = spec.get('storageLocation') or {}
    if location:
        provider = location.get('provider', 'aws')
        if provider != 'aws':
            raise PlanError('policy.spec.storageLocation.provider %r: expected aws (the S3 plugin the velero role installs)'
                            % provider)
        out['bucket'] = location.get('bucket')
        notes.append('storageLocation {provider: %s, bucket: %s} is not part of a Velero Schedule: a Schedule names a '
                     'BackupStorageLocation, which the velero role made on settings.s3; the bucket is checked against it.'
                     % (provider, location.get('bucket')))
    return out, notes


def build_schedule(name, namespace, cron, keep_last=None, ttl=None, included_namespaces=None, excluded_namespaces=None,
                   label_selector=None, storage_location='default', snapshot_volumes=False, paused=False):
    """The Velero Schedule, and the translations made (list of str)."""
    _dns_name(name, 'name')
    parsed = parse_cron(cron)
    notes = []
    if keep_last is not None and (isinstance(keep_last, bool) or not isinstance(keep_last, int) or keep_last < 1):
        raise PlanError('keep_last %r: expected a whole number of backups, at least 1' % (keep_last,))
    for what, items in (('included_namespaces', included_namespaces), ('excluded_namespaces', excluded_namespaces)):
        for ns in items or []:
            if ns != '*':
                _dns_name(ns, what + ' entry')
    if ttl is not None and not go_duration_seconds(ttl):
        raise PlanError('ttl %r: expected a Go duration such as 168h or 720h0m0s' % (ttl,))
    if keep_last:
        gap = parsed.longest_gap(max(keep_last, 2) + 1)
        window = gap * keep_last if gap else None
        notes.append('keepLast: %d is not a Velero field (Velero expires backups by TTL only): on every run the N newest '
                     'Completed backups of this schedule are kept and the older Completed ones are deleted through '
                     'DeleteBackupRequest (backup_retention), so their data leaves the bucket too; Failed and '
                     'PartiallyFailed backups never count toward N.' % keep_last)
        if ttl is None and window:
            # The TTL is only a backstop (a pruner that stopped running); it must not expire backups the
            # keep-last rule still keeps when runs fail: several times the window of N runs, at least 30 days.
            ttl_seconds = max(720 * 3600, 4 * window)
            ttl = go_duration(ttl_seconds)
            notes.append('ttl %s (a backstop, four times the %s that %d runs of "%s" span, at least 720h) so that Velero\'s '
                         'own expiry never removes a backup the keep-last rule keeps.'
                         % (ttl, go_duration(window), keep_last, cron))
        elif ttl is not None and window and go_duration_seconds(ttl) < window:
            notes.append('WARNING: ttl %s is shorter than the %s that %d runs span: Velero will expire backups before %d '
                         'are kept.' % (ttl, go_duration(window), keep_last, keep_last))
    if parsed.zone:
        notes.append('the schedule runs in time zone %s (CRON_TZ), as Velero reads it.' % parsed.zone)
    template = {
        'includedNamespaces': list(included_namespaces or ['*']),
        'storageLocation': storage_location,
        'snapshotVolumes': bool(snapshot_volumes),
    }
    if excluded_namespaces:
        template['excludedNamespaces'] = list(excluded_namespaces)
    if label_selector:
        template['labelSelector'] = label_selector if ('matchLabels' in label_selector or 'matchExpressions' in label_selector) \
            else {'matchLabels': dict(label_selector)}
    if ttl is not None:
        template['ttl'] = go_duration(go_duration_seconds(ttl))
    labels = dict(MANAGED_BY)
    annotations = {}
    if keep_last:
        annotations['fleetops.io/keep-last'] = str(keep_last)
    obj = {
        'apiVersion': VELERO_API, 'kind': 'Schedule',
        'metadata': {'name': name, 'namespace': namespace, 'labels': labels, 'annotations': annotations},
        'spec': {'schedule': cron, 'template': template, 'paused': bool(paused), 'useOwnerReferencesInBackup': False},
    }
    if not annotations:
        del obj['metadata']['annotations']
    return obj, notes


def build_kurator_backup(name, namespace, fleet, schedule_obj):
    """The Kurator Backup (backup.kurator.dev/v1alpha1) matching a Velero Schedule."""
    template = schedule_obj['spec']['template']
    policy = {'resourceFilter': {'includedNamespaces': template['includedNamespaces']}}
    if template.get('labelSelector'):
        policy['resourceFilter']['labelSelector'] = template['labelSelector']
    if template.get('excludedNamespaces'):
        policy['resourceFilter']['excludedNamespaces'] = template['excludedNamespaces']
    if template.get('ttl'):
        policy['ttl'] = template['ttl']
    return {
        'apiVersion': KURATOR_BACKUP_API, 'kind': 'Backup',
        'metadata': {'name': name, 'namespace': namespace, 'labels': dict(MANAGED_BY)},
        'spec': {'schedule': schedule_obj['spec']['schedule'], 'destination': {'fleet': fleet}, 'policy': policy},
    }


COUNTED = 'Completed'
NOT_COUNTED = ('Failed', 'PartiallyFailed', 'FailedValidation')


def _started(backup):
    status = backup.get('status') or {}
    return status.get('startTimestamp') or backup['metadata'].get('creationTimestamp') or ''


def prune_plan(backups, keep_last, deleting=()):
    """What keep-last-N means for one schedule's backups.

    Returns {'keep': [...], 'delete': [...], 'not_counted': [...], 'in_progress': [...], 'deleting': [...]},
    each a list of {'name', 'phase', 'started'}, newest first. Only Completed backups count toward N and
    only Completed ones are deleted; Failed/PartiallyFailed ones are reported (not_counted) and left to
    their TTL; ones still running are left alone; ones already being deleted (phase Deleting, or a
    DeleteBackupRequest for them in ``deleting``) are reported and not requested again.
    """
    deleting = set(deleting)
    plan = dict((k, []) for k in ('keep', 'delete', 'not_counted', 'in_progress', 'deleting'))
    for backup in sorted(backups, key=lambda b: (_started(b), b['metadata']['name']), reverse=True):
        phase = (backup.get('status') or {}).get('phase') or 'New'
        entry = {'name': backup['metadata']['name'], 'phase': phase, 'started': _started(backup)}
        if phase == 'Deleting' or entry['name'] in deleting:
            plan['deleting'].append(entry)
        elif phase == COUNTED:
            plan['keep' if len(plan['keep']) < keep_last else 'delete'].append(entry)
        elif phase in NOT_COUNTED:
            plan['not_counted'].append(entry)
        else:
            plan['in_progress'].append(entry)
    return plan


def delete_backup_request(backup, namespace):
    """A DeleteBackupRequest for one Backup, as `velero backup delete` makes it."""
    meta = backup['metadata']
    return {
        'apiVersion': VELERO_API, 'kind': 'DeleteBackupRequest',
        'metadata': {'generateName': meta['name'][:52] + '-', 'namespace': namespace,
                     'labels': dict(MANAGED_BY, **{'velero.io/backup-name': _label_value(meta['name']),
                                                   'velero.io/backup-uid': meta.get('uid', '')})},
        'spec': {'backupName': meta['name']},
    }


def _label_value(name):
    """Velero's label.GetValidName: names longer than 63 characters are cut and suffixed with a hash."""
    if len(name) <= 63:
        return name
    import hashlib
    return name[:57] + hashlib.sha256(name.encode()).hexdigest()[:6]


def parse_time(text):
    """A Kubernetes timestamp (2026-12-02T14:00:00Z) as a naive UTC datetime, or None."""
    return datetime.datetime.strptime(text, '%Y-%m-%dT%H:%M:%SZ') if text else None


def took(status):
    """Seconds from a Velero object's status.startTimestamp to its completionTimestamp, or None."""
    start, end = parse_time(status.get('startTimestamp')), parse_time(status.get('completionTimestamp'))
    return (end - start).total_seconds() if start and end else None
