# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE to fleetops.kurator: no compatibility promise outside the collection.
"""Validate an object against a CustomResourceDefinition's structural schema, before it is sent.

Pure Python, no I/O. ``crd_schemas`` indexes CRD documents by (apiVersion, kind);
``validate`` walks one object against the ``openAPIV3Schema`` of its version and returns
*every* problem, each naming the field path (``spec.clusters[0].name``), the bad value
and what the schema expects, in the collection's one error format (``_labels.problem``).

What it checks is what kube-apiserver checks for a structural schema: unknown fields
(which the API server prunes, or rejects with ``fieldValidation=Strict``), types
(``x-kubernetes-int-or-string``, ``nullable``, ``anyOf``), ``required``, ``enum``,
``pattern``, lengths, bounds, the ``int32``/``int64``/``date-time`` formats and
``x-kubernetes-list-type`` set/map uniqueness. ObjectMeta (``metadata``) is the API
server's own type: only its name and namespace are checked here.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import difflib
import re

from ansible_collections.fleetops.kurator.plugins.module_utils._labels import (
    dns1123_subdomain_error, dns1123_label_error, problem)

_TYPE_NAMES = {'string': 'a string', 'integer': 'an integer', 'number': 'a number',
               'boolean': 'true or false', 'object': 'a mapping', 'array': 'a list'}
_INT_RANGES = {'int32': (-2 ** 31, 2 ** 31 - 1), 'int64': (-2 ** 63, 2 ** 63 - 1)}
# RFC 3339 as Go's strfmt parses it.
_DATE_TIME = re.compile(r'\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})\Z')


class SchemaError(ValueError):
    """Raised with every problem of the objects validated together (``errors``)."""

    def __init__(self, errors):
        self.errors = list(errors)
        super(SchemaError, self).__init__('%d problem(s):\n  - %s' % (len(self.errors), '\n  - '.join(self.errors)))


def crd_schemas(documents):
    """{(apiVersion, kind): openAPIV3Schema} of every served version of the given CRD documents."""
    out = {}
    for doc in documents or []:
        if not isinstance(doc, dict) or doc.get('kind') != 'CustomResourceDefinition':
            continue
        spec = doc.get('spec') or {}
        kind = (spec.get('names') or {}).get('kind')
        for version in spec.get('versions') or []:
            schema = (version.get('schema') or {}).get('openAPIV3Schema')
            if kind and schema and version.get('served', True):
                out[('%s/%s' % (spec.get('group'), version.get('name')), kind)] = schema
    return out


def crd_scope(documents):
    """{(apiVersion, kind): namespaced} of the given CRD documents."""
    out = {}
    for doc in documents or []:
        if isinstance(doc, dict) and doc.get('kind') == 'CustomResourceDefinition':
            spec = doc.get('spec') or {}
            for version in spec.get('versions') or []:
                out[('%s/%s' % (spec.get('group'), version.get('name')), (spec.get('names') or {}).get('kind'))] = \
                    spec.get('scope', 'Namespaced') == 'Namespaced'
    return out


def describe(obj):
    """'Fleet default/lab' for error messages."""
    meta = obj.get('metadata') or {} if isinstance(obj, dict) else {}
    name = meta.get('name') if isinstance(meta, dict) else None
    where = '%s/%s' % (meta['namespace'], name) if isinstance(meta, dict) and meta.get('namespace') else name
    return '%s %s' % (obj.get('kind') if isinstance(obj, dict) else '?', where)


def validate_objects(objects, schemas):
    """Raise SchemaError with every problem of every object (each prefixed with the object it is in)."""
    errors = []
    for obj in objects:
        errors.extend('%s: %s' % (describe(obj), e) for e in validate(obj, schemas))
    if errors:
        raise SchemaError(errors)


def validate(obj, schemas):
    """Problems of one object against the schema of its apiVersion and kind (a list of strings)."""
    if not isinstance(obj, dict):
        return [problem('document', obj, 'a Kubernetes object (a mapping)')]
    key = (obj.get('apiVersion'), obj.get('kind'))
    schema = schemas.get(key)
    if schema is None:
        served = sorted('%s %s' % k for k in schemas)
        return [problem('apiVersion/kind', '%s %s' % key, 'one of the CRDs given: %s' % ', '.join(served))]
    errors = []
    meta = obj.get('metadata')
    if not isinstance(meta, dict):
        errors.append(problem('metadata', meta, 'a mapping with a name'))
    else:
        err = dns1123_subdomain_error(meta.get('name'))
        if err:
            errors.append(problem('metadata.name', meta.get('name'), 'a DNS-1123 subdomain (%s)' % err))
        if meta.get('namespace') is not None and dns1123_label_error(meta.get('namespace')):
            errors.append(problem('metadata.namespace', meta.get('namespace'), 'a DNS-1123 label'))
    # apiVersion and kind are the API server's own (they chose this schema)
    body = dict((k, v) for k, v in obj.items() if k not in ('metadata', 'apiVersion', 'kind'))
    root = dict(schema)
    root['properties'] = dict((k, v) for k, v in (schema.get('properties') or {}).items() if k != 'metadata')
    _check(body, root, '', errors)
    return errors


def _join(path, key):
    return '%s.%s' % (path, key) if path else str(key)


def _type_ok(value, typ):
    if typ == 'string':
        return isinstance(value, str)
    if typ == 'integer':
        return isinstance(value, int) and not isinstance(value, bool)
    if typ == 'number':
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if typ == 'boolean':
        return isinstance(value, bool)
    if typ == 'object':
        return isinstance(value, dict)
    if typ == 'array':
        return isinstance(value, list)
    return True


def _check(value, schema, path, errors):
    where = path or '(the object)'
    if value is None:
        if not schema.get('nullable'):
            errors.append(problem(where, value, '%s (null is not allowed here)' % _expected(schema)))
        return
    if schema.get('x-kubernetes-int-or-string'):
        if not (_type_ok(value, 'integer') or _type_ok(value, 'string')):
            errors.append(problem(where, value, 'an integer or a string'))
            return
    elif schema.get('anyOf') and not schema.get('type'):
        if not any(_quiet_ok(value, alt) for alt in schema['anyOf']):
            errors.append(problem(where, value, ' or '.join(_expected(alt) for alt in schema['anyOf'])))
            return
    typ = schema.get('type')
    if typ and not _type_ok(value, typ):
        errors.append(problem(where, value, _expected(schema)))
        return
    if 'enum' in schema and value not in schema['enum']:
        errors.append(problem(where, value, 'one of %s' % ', '.join(str(e) for e in schema['enum'])))
    if isinstance(value, str):
        _check_string(value, schema, where, errors)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        _check_number(value, schema, where, errors)
    elif isinstance(value, dict):
        _check_object(value, schema, path, errors)
    elif isinstance(value, list):
        _check_array(value, schema, path, errors)


def _quiet_ok(value, schema):
    errs = []
    _check(value, schema, 'x', errs)
    return not errs


def _expected(schema):
    if schema.get('x-kubernetes-int-or-string'):
        return 'an integer or a string'
    name = _TYPE_NAMES.get(schema.get('type'), 'a value')
    fmt = schema.get('format')
    if fmt == 'date-time':
        name += ' (an RFC 3339 date-time such as 2026-12-02T10:00:00Z)'
    elif fmt in _INT_RANGES:
        name += ' (%s)' % fmt
    return name


def _check_string(value, schema, where, errors):
    if 'minLength' in schema and len(value) < schema['minLength']:
        errors.append(problem(where, value, 'a string of at least %d characters' % schema['minLength']))
    if 'maxLength' in schema and len(value) > schema['maxLength']:
        errors.append(problem(where, value, 'a string of at most %d characters' % schema['maxLength']))
    if 'pattern' in schema:
        try:
            matched = re.search(schema['pattern'], value)
        except re.error:
            matched = True  # a Go (RE2) construct Python lacks: leave it to the API server
        if not matched:
            errors.append(problem(where, value, 'a string matching %s' % schema['pattern']))
    if schema.get('format') == 'date-time' and not _DATE_TIME.match(value):
        errors.append(problem(where, value, _expected(schema)))


def _check_number(value, schema, where, errors):
    bounds = _INT_RANGES.get(schema.get('format'))
    if bounds and isinstance(value, int) and not bounds[0] <= value <= bounds[1]:
        errors.append(problem(where, value, 'an integer that fits %s' % schema['format']))
    if 'minimum' in schema and (value < schema['minimum'] or (schema.get('exclusiveMinimum') and value == schema['minimum'])):
        errors.append(problem(where, value, 'a number %s %s' % ('>' if schema.get('exclusiveMinimum') else '>=', schema['minimum'])))
    if 'maximum' in schema and (value > schema['maximum'] or (schema.get('exclusiveMaximum') and value == schema['maximum'])):
        errors.append(problem(where, value, 'a number %s %s' % ('<' if schema.get('exclusiveMaximum') else '<=', schema['maximum'])))


def _check_object(value, schema, path, errors):
    props = schema.get('properties') or {}
    extra = schema.get('additionalProperties')
    for key in schema.get('required') or []:
        if key not in value:
            errors.append(problem(_join(path, key), None, 'a value: the field is required'))
    for key, item in value.items():
        if key in props:
            _check(item, props[key], _join(path, key), errors)
        elif isinstance(extra, dict):
            _check(item, extra, _join(path, key), errors)
        elif extra is True or schema.get('x-kubernetes-preserve-unknown-fields') \
                or schema.get('x-kubernetes-embedded-resource'):
            continue
        elif props:
            errors.append(problem(_join(path, key), key, 'a field the schema declares' + _hint(key, props)))
        else:
            errors.append(problem(_join(path, key), key, 'no field here (the schema declares none under %s)'
                                  % (path or 'the object')))
    if 'maxProperties' in schema and len(value) > schema['maxProperties']:
        errors.append(problem(path, len(value), 'at most %d entries' % schema['maxProperties']))
    if 'minProperties' in schema and len(value) < schema['minProperties']:
        errors.append(problem(path, len(value), 'at least %d entries' % schema['minProperties']))


def _hint(key, props):
    close = difflib.get_close_matches(str(key), list(props), n=1)
    return '%s: %s' % (" (did you mean '%s'?)" % close[0] if close else '', ', '.join(sorted(props)))


def _check_array(value, schema, path, errors):
    if 'minItems' in schema and len(value) < schema['minItems']:
        errors.append(problem(path, value, 'a list of at least %d items' % schema['minItems']))
    if 'maxItems' in schema and len(value) > schema['maxItems']:
        errors.append(problem(path, value, 'a list of at most %d items' % schema['maxItems']))
    items = schema.get('items')
    if isinstance(items, dict):
        for index, item in enumerate(value):
            _check(item, items, '%s[%d]' % (path, index), errors)
    list_type = schema.get('x-kubernetes-list-type')
    if list_type == 'set':
        seen = []
        for index, item in enumerate(value):
            if item in seen:
                errors.append(problem('%s[%d]' % (path, index), item, 'a value not already in the list (list-type set)'))
            seen.append(item)
    elif list_type == 'map':
        keys = schema.get('x-kubernetes-list-map-keys') or []
        seen = {}
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                continue
            k = tuple(repr(item.get(name)) for name in keys)
            if k in seen:
                errors.append(problem('%s[%d]' % (path, index), dict((n, item.get(n)) for n in keys),
                                      'unique %s in the list (already at %s[%d])' % ('/'.join(keys), path, seen[k])))
            seen.setdefault(k, index)
