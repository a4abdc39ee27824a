#!/usr/bin/python3
"""Checks schemas/openapi.yaml and the JSON Schemas beside it (tests/spec/CMakeLists.txt runs each mode as a ctest).

  openapi_check.py wellformed SCHEMAS_DIR
      the spec is well-formed: OpenAPI 3.1 shape, every $ref (in the spec and in the schema files) resolves,
      every schema is a valid draft 2020-12 schema, every path template parameter is declared (and every
      declared path parameter is in the template), parameter names are the agreed ones, cloud object paths
      carry {orgID} and edge paths do not, operationIds are unique, tags declared, every schema file is used,
      every JSON request body has a valid example and (unless the server ignores it) an invalid one.
  openapi_check.py examples SCHEMAS_DIR
      every example validates against its schema; every request body example is marked, and an `invalid-`
      one does not validate.
  openapi_check.py selftest SCHEMAS_DIR
      the two checks above fail, with the right message, on copies of schemas/ broken on purpose.
  openapi_check.py server SCHEMAS_DIR EDGESYNC_BINARY
      the server agrees: a real cloud and a real edge on 127.0.0.1 get every request body example of `paths`
      and `x-edge-paths` respectively; valid ones must be answered 2xx, invalid ones 400 with a JSON error
      naming the problem (its `field` when the example says which). Any other answer fails.

Run with the Debian interpreter (/usr/bin/python3: python3-jsonschema, python3-yaml).
"""
import base64
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import http.client

import jsonschema
import yaml

METHODS = ("get", "put", "post", "delete", "head", "patch", "options")
PATH_PARAMETERS = {"orgID", "objectType", "objectID", "destType", "destID", "aclType", "key", "aclUserType", "username",
                   "instanceID", "dataID"}
ID_PREFIX = "https://schemas.edgesync.example/"

failures = []


def fail(message):
    failures.append(message)
    print("FAIL: " + message, flush=True)


def finish(what):
    if failures:
        print("%d failure(s) in %s" % (len(failures), what))
        sys.exit(1)
    print("%s: all good" % what)
    sys.exit(0)


# ---- loading -------------------------------------------------------------------------------------------

def load(schemas_dir):
    with open(os.path.join(schemas_dir, "openapi.yaml"), encoding="utf-8") as f:
        spec = yaml.safe_load(f)
    schemas = {}
    for name in sorted(os.listdir(schemas_dir)):
        if name.endswith(".schema.json"):
            with open(os.path.join(schemas_dir, name), encoding="utf-8") as f:
                schemas[name] = json.load(f)
    return spec, schemas


def pointer(document, fragment):
    """The part of document that a JSON pointer (without '#') names, or raises KeyError."""
    node = document
    if fragment in ("", "/"):
        return node
    for token in fragment.lstrip("/").split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list):
            node = node[int(token)]
        else:
            node = node[token]
    return node


def resolve_spec_ref(spec, schemas, ref):
    """A $ref written in openapi.yaml: '#/…' in the spec, or 'file.schema.json[#/…]' beside it."""
    target, _, fragment = ref.partition("#")
    if not target:
        return pointer(spec, fragment)
    return pointer(schemas[target], fragment)


def walk(node, where=""):
    """Yields (where, dict) for every dict in node."""
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from walk(value, where + "/" + str(key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, where + "/" + str(index))


def deref(spec, schemas, node):
    while isinstance(node, dict) and "$ref" in node and isinstance(node["$ref"], str):
        node = resolve_spec_ref(spec, schemas, node["$ref"])
    return node


def validator_for(schemas, schema):
    """A draft 2020-12 validator for schema (a schema file, or a {'$ref': 'file'} from the spec)."""
    store = {ID_PREFIX + name: body for name, body in schemas.items()}
    if isinstance(schema, dict) and set(schema) == {"$ref"} and not schema["$ref"].startswith("#"):
        name, _, fragment = schema["$ref"].partition("#")
        schema = {"$ref": name + ("#" + fragment if fragment else "")}
    resolver = jsonschema.RefResolver(base_uri=ID_PREFIX, referrer=schema, store=store)
    return jsonschema.Draft202012Validator(schema, resolver=resolver,
                                           format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def operations(spec, schemas, paths_key):
    """Yields (path, method, path_item, operation) for every operation under spec[paths_key]."""
    for path, item in (spec.get(paths_key) or {}).items():
        item = deref(spec, schemas, item)
        for method in METHODS:
            if method in item:
                yield path, method, item, item[method]


def parameters_of(spec, schemas, item, operation):
    """The parameters that apply to an operation (the operation's override the path item's), by (name, in)."""
    merged = {}
    for parameter in list(item.get("parameters", [])) + list(operation.get("parameters", [])):
        parameter = deref(spec, schemas, parameter)
        merged[(parameter["name"], parameter["in"])] = parameter
    return merged


# ---- wellformed ----------------------------------------------------------------------------------------

def check_wellformed(schemas_dir):
    spec, schemas = load(schemas_dir)
    if not str(spec.get("openapi", "")).startswith("3.1."):
        fail("openapi must be 3.1.x, is %r" % spec.get("openapi"))
    for key in ("info", "paths", "x-edge-paths", "components"):
        if key not in spec:
            fail("missing top-level " + key)
    # every schema file is a valid 2020-12 schema with the agreed $id, and its $refs resolve
    for name, schema in schemas.items():
        try:
            jsonschema.Draft202012Validator.check_schema(schema)
        except jsonschema.SchemaError as error:
            fail("%s is not a valid draft 2020-12 schema: %s" % (name, error.message))
        if schema.get("$schema") != "https://json-schema.org/draft/2020-12/schema":
            fail("%s: $schema must be draft 2020-12" % name)
        if schema.get("$id") != ID_PREFIX + name:
            fail("%s: $id must be %s" % (name, ID_PREFIX + name))
        for where, node in walk(schema):
            ref = node.get("$ref")
            if not isinstance(ref, str):
                continue
            target, _, fragment = ref.partition("#")
            try:
                pointer(schemas[target] if target else schema, fragment)
            except (KeyError, IndexError, ValueError):
                fail("%s%s: $ref %s does not resolve" % (name, where, ref))
    # every $ref of the spec resolves; every schema file is used
    used = set()
    for where, node in walk(spec):
        ref = node.get("$ref")
        if not isinstance(ref, str):
            continue
        try:
            resolve_spec_ref(spec, schemas, ref)
        except (KeyError, IndexError, ValueError):
            fail("openapi.yaml%s: $ref %s does not resolve" % (where, ref))
        used.add(ref.partition("#")[0])
    for name, schema in schemas.items():
        used |= {node["$ref"].partition("#")[0] for _, node in walk(schema) if isinstance(node.get("$ref"), str)}
    for name in schemas:
        if name not in used:
            fail("schemas/%s is not referenced by openapi.yaml" % name)
    # paths: parameters declared, names agreed, shapes of cloud and edge paths
    operation_ids = set()
    for paths_key in ("paths", "x-edge-paths"):
        if not spec.get(paths_key):
            fail(paths_key + " is empty")
            continue
        for path, method, item, operation in operations(spec, schemas, paths_key):
            where = "%s %s %s" % (paths_key, method.upper(), path)
            if not path.startswith("/"):
                fail(where + ": a path starts with /")
            in_template = re.findall(r"\{([^}]*)\}", path)
            if len(in_template) != len(set(in_template)):
                fail(where + ": a parameter appears twice")
            parameters = parameters_of(spec, schemas, item, operation)
            declared = {name for (name, location) in parameters if location == "path"}
            for name in in_template:
                if name not in declared:
                    fail("%s: path parameter {%s} is not declared" % (where, name))
                if name not in PATH_PARAMETERS:
                    fail("%s: path parameter {%s} is not one of the agreed names" % (where, name))
            for name in declared - set(in_template):
                fail("%s: declares path parameter %s that the path does not have" % (where, name))
            for (name, location), parameter in parameters.items():
                if location == "path" and parameter.get("required") is not True:
                    fail("%s: path parameter %s must be required" % (where, name))
                if "schema" not in parameter and "content" not in parameter:
                    fail("%s: parameter %s has no schema" % (where, name))
                if not parameter.get("description") and location != "path":
                    fail("%s: parameter %s has no description" % (where, name))
            if paths_key == "x-edge-paths" and "orgID" in in_template:
                fail(where + ": edge paths carry no {orgID}")
            if paths_key == "paths" and path.startswith("/api/v1/objects/") and not path.startswith("/api/v1/objects/{orgID}/"):
                fail(where + ": cloud object paths start /api/v1/objects/{orgID}/")
            if "{mark}" in path or "{operation}" in path:
                fail(where + ": marks are literal paths")
            body = deref(spec, schemas, operation.get("requestBody"))
            for media_type, media in ((body or {}).get("content") or {}).items():
                if media_type != "application/json":
                    continue
                marks = [deref(spec, schemas, example).get("x-edgesync-valid") for _, example in media_examples(media)]
                if True not in marks:
                    fail(where + ": the JSON request body has no valid example")
                if False not in marks and not media.get("x-edgesync-body-ignored"):
                    fail(where + ": the JSON request body has no invalid example")
            for tag in operation.get("tags", []):
                if tag not in {declared_tag.get("name") for declared_tag in spec.get("tags", [])}:
                    fail("%s: tag %s is not declared" % (where, tag))
            for key in ("summary", "operationId", "responses"):
                if not operation.get(key):
                    fail("%s: no %s" % (where, key))
            if operation.get("operationId") in operation_ids:
                fail("%s: operationId %s is not unique" % (where, operation.get("operationId")))
            operation_ids.add(operation.get("operationId"))
            for code in operation.get("responses", {}):
                if not re.fullmatch(r"[1-5][0-9][0-9]", str(code)):
                    fail("%s: response code %r" % (where, code))
    finish("openapi.yaml well-formed")


# ---- examples ------------------------------------------------------------------------------------------

def media_examples(media):
    """(name, example object) of a media type or parameter: `examples` and a single `example`."""
    found = list((media.get("examples") or {}).items())
    if "example" in media:
        found.append(("example", {"value": media["example"]}))
    return found


def request_examples(spec, schemas, paths_key):
    """Yields (path, method, operation, media_type, media, name, example) for every request body example."""
    for path, method, item, operation in operations(spec, schemas, paths_key):
        body = deref(spec, schemas, operation.get("requestBody"))
        if not body:
            continue
        for media_type, media in body.get("content", {}).items():
            for name, example in media_examples(media):
                yield path, method, operation, media_type, media, name, deref(spec, schemas, example)


def check_examples(schemas_dir):
    spec, schemas = load(schemas_dir)
    count = 0
    for paths_key in ("paths", "x-edge-paths"):
        # request bodies: marked, and valid exactly when marked so
        for path, method, operation, media_type, media, name, example in request_examples(spec, schemas, paths_key):
            where = "%s %s %s example %s" % (paths_key, method.upper(), path, name)
            valid = example.get("x-edgesync-valid")
            if valid not in (True, False):
                fail(where + ": no x-edgesync-valid")
                continue
            if valid == name.startswith("invalid-"):
                fail(where + ": the name starts with invalid- exactly when x-edgesync-valid is false")
            if "schema" not in media:
                fail(where + ": the media type has no schema")
                continue
            errors = list(validator_for(schemas, media["schema"]).iter_errors(example["value"]))
            count += 1
            if valid and errors:
                fail("%s: marked valid but %s" % (where, "; ".join(e.message for e in errors)))
            if not valid and not errors:
                fail(where + ": marked invalid but validates")
        # response bodies and parameters: every example validates
        for path, method, item, operation in operations(spec, schemas, paths_key):
            for code, response in operation.get("responses", {}).items():
                response = deref(spec, schemas, response)
                for media_type, media in (response.get("content") or {}).items():
                    line_schema = media.get("x-edgesync-line-schema")
                    for name, example in media_examples(media):
                        where = "%s %s %s %s %s example %s" % (paths_key, method.upper(), path, code, media_type, name)
                        value = deref(spec, schemas, example)["value"]
                        count += 1
                        if line_schema:  # NDJSON: each line is one document
                            for line in value.splitlines():
                                for error in validator_for(schemas, line_schema).iter_errors(json.loads(line)):
                                    fail("%s: %s" % (where, error.message))
                        elif "schema" in media:
                            for error in validator_for(schemas, media["schema"]).iter_errors(value):
                                fail("%s: %s" % (where, error.message))
            for (name, location), parameter in parameters_of(spec, schemas, item, operation).items():
                if "example" in parameter and "schema" in parameter:
                    for error in validator_for(schemas, parameter["schema"]).iter_errors(parameter["example"]):
                        fail("%s %s %s parameter %s: %s" % (paths_key, method.upper(), path, name, error.message))
    if count < 40:
        fail("only %d examples found" % count)
    print("%d examples checked" % count)
    finish("openapi.yaml examples")


# ---- server --------------------------------------------------------------------------------------------

DEADLINE_SECONDS = 30
ORG = "myorg"
CLOUD_ADMIN = "admin@" + ORG         # dummy authentication: an Admin of myorg
EDGE_APP = ORG + "/app"              # an application on the edge
SPI_NODE = (ORG, "edgeType", "edge1")  # the edge node the SPI examples speak for (the parameters' examples)
EDGE_NODE = ("edgeType", "edge2")    # the real edge process


class Node:
    """A real edgesync process on 127.0.0.1 with its own data directory; stopped by stop()."""

    def __init__(self, binary, directory, name, config):
        self.directory = os.path.join(directory, name)
        os.makedirs(self.directory)
        config_path = os.path.join(directory, name + ".yaml")
        with open(config_path, "w") as f:
            f.write(config)
        self.log_path = os.path.join(directory, name + ".log")
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [binary, "--listen", "127.0.0.1:0", "--data-dir", self.directory, "--auth", "dummy", "--config", config_path],
            stdout=self.log, stderr=subprocess.STDOUT)
        self.port = None
        deadline = time.monotonic() + DEADLINE_SECONDS
        while time.monotonic() < deadline and self.port is None:
            if self.process.poll() is not None:
                raise RuntimeError("%s exited with %s:\n%s" % (name, self.process.returncode, self.output()))
            found = re.search(r"listening on 127\.0\.0\.1:(\d+)", self.output())
            if found:
                self.port = int(found.group(1))
            else:
                time.sleep(0.01)
        if self.port is None:
            self.stop()
            raise RuntimeError("%s did not say where it listens within %d s:\n%s" % (name, DEADLINE_SECONDS, self.output()))

    def output(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self):
        """SIGTERM, then (past the deadline) SIGKILL; the exit code (0 is a clean stop; under the sanitizers a
        finding makes it non-zero)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(DEADLINE_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        return self.process.returncode

    def request(self, method, path, app_key, body=None, headers=None, answer_headers=False):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=DEADLINE_SECONDS)
        all_headers = {"Authorization": "Basic " + base64.b64encode((app_key + ":").encode()).decode(),
                       "Accept": "application/json"}
        if body is not None:
            all_headers["Content-Type"] = "application/json"
        all_headers.update(headers or {})
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        content_type = (response.getheader("Content-Type") or "").split(";")[0].strip()
        connection.close()
        if answer_headers:
            return response.status, (text, content_type)
        return response.status, text


def fill_path(spec, schemas, path, item, operation, overrides):
    values = {}
    for (name, location), parameter in parameters_of(spec, schemas, item, operation).items():
        if location == "path":
            values[name] = str(overrides.get(name, parameter.get("example")))
    return re.sub(r"\{([^}]*)\}", lambda m: values[m.group(1)], path)


def wait_until(predicate, what):
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise RuntimeError("timed out waiting until " + what)


def check_answers(spec, schemas, cloud, edge, spi_key, spi_headers):
    """Every operation of the spec that takes no body, in the spec's order, with the parameters' examples:
    the status is one the operation documents, and a body is what the documented response's schema says.
    (Mutations too: marks, deletions, the SPI's acknowledgements.) Returns how many were checked."""
    checked = 0
    for paths_key, node, app_key in (("paths", cloud, CLOUD_ADMIN), ("x-edge-paths", edge, EDGE_APP)):
        # What ends the node's relations comes last: the org's deletion and the SPI node's unregistration.
        last = lambda entry: (entry[1] == "delete" and entry[0].startswith("/api/v1/organizations/")) or "/unregister/" in entry[0]
        for path, method, item, operation in sorted(operations(spec, schemas, paths_key), key=last):
            if method != "get" and (method == "post" or operation.get("requestBody")):
                continue  # bodies are the examples' business; POST /api/v1/resend is PUT's twin
            url = fill_path(spec, schemas, path, item, operation, {})
            spi = url.startswith("/spi/")
            status, text = node.request(method.upper(), url, spi_key if spi else app_key,
                                        headers=spi_headers if spi else None, answer_headers=True)
            text, content_type = text
            checked += 1
            where = "%s %s %s: %d %s" % (paths_key, method.upper(), url, status, text.strip()[:200])
            print("%s %s %s: %d %s" % (paths_key, method.upper(), url, status, content_type))
            response = operation.get("responses", {}).get(str(status)) or operation.get("responses", {}).get(status)
            if response is None:
                fail(where + " (status not documented)")
                continue
            response = deref(spec, schemas, response)
            content = response.get("content") or {}
            if not text:
                continue
            media = content.get(content_type)
            if media is None:
                fail("%s (Content-Type %s not documented; documented: %s)" % (where, content_type, ", ".join(content) or "no body"))
                continue
            if media.get("x-edgesync-line-schema"):
                validator = validator_for(schemas, media["x-edgesync-line-schema"])
                documents = [json.loads(line) for line in text.splitlines()]
            elif "schema" in media:
                validator = validator_for(schemas, media["schema"])
                documents = [json.loads(text) if content_type.endswith("json") else text]
            else:
                continue
            for document in documents:
                for problem in validator.iter_errors(document):
                    fail("%s (%s)" % (where, problem.message))
    return checked


def check_server(schemas_dir, binary):
    spec, schemas = load(schemas_dir)
    directory = tempfile.mkdtemp(prefix="openapi-check-")
    nodes = []
    try:
        cloud = Node(binary, directory, "cloud", "mode: cloud\n")
        nodes.append(cloud)
        edge = Node(binary, directory, "edge", "mode: edge\norg: %s\ndest_type: %s\ndest_id: %s\ncloud_url: http://127.0.0.1:%d\n"
                    % (ORG, EDGE_NODE[0], EDGE_NODE[1], cloud.port))
        nodes.append(edge)

        spi_key = "/".join(SPI_NODE)
        spi_headers = {"X-Sync-Service-Dest": spi_key}
        # The state the examples assume: the SPI examples' node registered, the examples' object on both nodes,
        # and the edge registered with its cloud (so that what it forwards is taken).
        status, text = cloud.request("PUT", "/spi/v1/register-new/" + spi_key, spi_key, headers=spi_headers)
        if status != 204:
            raise RuntimeError("registering %s: %d %s" % (spi_key, status, text))
        minimal = json.dumps({"meta": {"objectID": "obj1", "objectType": "model"}})
        for node, path, key in ((cloud, "/api/v1/objects/%s/model/obj1" % ORG, CLOUD_ADMIN),
                                (edge, "/api/v1/objects/model/obj1", EDGE_APP)):
            status, text = node.request("PUT", path, key, minimal)
            if status != 204:
                raise RuntimeError("creating obj1: %d %s" % (status, text))
        wait_until(lambda: cloud.request("GET", "/api/v1/destinations/" + ORG, CLOUD_ADMIN)[1].count('"destinationID"') >= 2,
                   "the edge registered with the cloud")

        sent = 0
        for paths_key, node, app_key in (("paths", cloud, CLOUD_ADMIN), ("x-edge-paths", edge, EDGE_APP)):
            for path, method, item, operation in operations(spec, schemas, paths_key):
                body = deref(spec, schemas, operation.get("requestBody"))
                if not body:
                    continue
                for media_type, media in body.get("content", {}).items():
                    if media.get("x-edgesync-body-ignored") or media_type != "application/json":
                        continue
                    for name, example in media_examples(media):
                        example = deref(spec, schemas, example)
                        url = fill_path(spec, schemas, path, item, operation, example.get("x-edgesync-path-parameters") or {})
                        spi = url.startswith("/spi/")
                        status, text = node.request(method.upper(), url, spi_key if spi else app_key,
                                                    json.dumps(example["value"]), spi_headers if spi else None)
                        sent += 1
                        where = "%s %s %s example %s: %d %s" % (paths_key, method.upper(), url, name, status, text.strip())
                        if example.get("x-edgesync-valid"):
                            if not 200 <= status < 300:
                                fail(where + " (expected 2xx)")
                            continue
                        if status != 400:
                            fail(where + " (expected 400)")
                            continue
                        try:
                            error = json.loads(text)
                        except ValueError:
                            fail(where + " (expected a JSON error body)")
                            continue
                        if not isinstance(error, dict) or not error.get("error"):
                            fail(where + " (the error body names no problem)")
                        for problem in validator_for(schemas, {"$ref": "error.schema.json"}).iter_errors(error):
                            fail("%s (error body: %s)" % (where, problem.message))
                        expected_field = example.get("x-edgesync-error-field")
                        if expected_field and error.get("field") != expected_field:
                            fail("%s (expected field %s)" % (where, expected_field))
                        # The same without Accept: application/json: the message as one line of text.
                        status, text = node.request(method.upper(), url, spi_key if spi else app_key,
                                                    json.dumps(example["value"]),
                                                    dict(spi_headers if spi else {}, Accept="*/*"))
                        if status != 400 or text != str(error.get("error")) + "\n":
                            fail("%s (as text: %d %r)" % (where, status, text))
        if sent < 30:
            fail("only %d examples sent" % sent)
        print("%d examples sent" % sent)
        checked = check_answers(spec, schemas, cloud, edge, spi_key, spi_headers)
        print("%d answers checked against their documented responses" % checked)
    finally:
        for node in reversed(nodes):
            code = node.stop()
            if code != 0:
                fail("%s exited with %s after SIGTERM" % (node.log_path, code))
        if failures:
            for node in nodes:
                print("---- %s log (tail) ----\n%s" % (node.log_path, node.output()[-4000:]))
        shutil.rmtree(directory, ignore_errors=True)
    finish("server against openapi.yaml examples")


# ---- selftest ------------------------------------------------------------------------------------------

def check_selftest(schemas_dir):
    """The checks catch what they are for: each mutation of a copy of schemas/ must make its mode fail
    with the expected message (and the unmutated copy must pass)."""
    mutations = [
        ("wellformed", "openapi.yaml", "/{objectID}/status:", "/{objectId}/status:", "path parameter {objectId} is not declared"),
        ("wellformed", "openapi.yaml", "$ref: '#/components/responses/NotFound'", "$ref: '#/components/responses/Missing'",
         "does not resolve"),
        ("wellformed", "object-list.schema.json", '"$ref": "metadata.schema.json"', '"$ref": "metadata2.schema.json"',
         "does not resolve"),
        ("wellformed", "openapi.yaml", "/api/v1/objects/{objectType}/{objectID}/data:",
         "/api/v1/objects/{orgID}/{objectType}/{objectID}/data:", "edge paths carry no {orgID}"),
        ("examples", "openapi.yaml", "x-edgesync-valid: false", "x-edgesync-valid: true", "marked valid but"),
        ("examples", "webhook.schema.json", '"enum": [\n        "register"', '"enum": [\n        "subscribe",\n        "register"',
         "marked invalid but validates"),
        ("examples", "openapi.yaml", "healthStatus: green", "healthStatus: blue", "'blue' is not one of"),
    ]
    work = tempfile.mkdtemp(prefix="openapi-selftest-")
    try:
        for mode in ("wellformed", "examples"):
            copy_dir = os.path.join(work, "clean-" + mode)
            shutil.copytree(schemas_dir, copy_dir)
            run = subprocess.run([sys.executable, __file__, mode, copy_dir], capture_output=True, text=True)
            if run.returncode != 0:
                fail("%s fails on an unchanged copy:\n%s" % (mode, run.stdout[-2000:]))
        for index, (mode, name, old, new, expected) in enumerate(mutations):
            copy_dir = os.path.join(work, str(index))
            shutil.copytree(schemas_dir, copy_dir)
            path = os.path.join(copy_dir, name)
            with open(path, encoding="utf-8") as f:
                text = f.read()
            if old not in text:
                fail("mutation %d: %r not found in %s" % (index, old, name))
                continue
            with open(path, "w", encoding="utf-8") as f:
                f.write(text.replace(old, new, 1))
            run = subprocess.run([sys.executable, __file__, mode, copy_dir], capture_output=True, text=True)
            if run.returncode != 1 or expected not in run.stdout:
                fail("mutation %d (%s: %r -> %r): %s exited %d without %r:\n%s"
                     % (index, name, old, new, mode, run.returncode, expected, run.stdout[-2000:]))
            else:
                print("mutation %d caught: %s" % (index, expected))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    finish("openapi_check.py self-test")


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "wellformed":
        check_wellformed(sys.argv[2])
    elif len(sys.argv) >= 3 and sys.argv[1] == "examples":
        check_examples(sys.argv[2])
    elif len(sys.argv) >= 3 and sys.argv[1] == "selftest":
        check_selftest(sys.argv[2])
    elif len(sys.argv) >= 4 and sys.argv[1] == "server":
        check_server(sys.argv[2], sys.argv[3])
    print(__doc__)
    sys.exit(2)
