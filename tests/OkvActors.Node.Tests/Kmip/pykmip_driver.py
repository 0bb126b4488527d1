#!/usr/bin/python3
"""Drives an OkvActors node with PyKMIP (Debian's python3-pykmip), an independent KMIP client.

Reads a scenario as JSON on stdin: {"host", "port", "cert", "key", "ca", "steps": [...]} and prints
one JSON array with a result per step: {"ok": true, ...} or {"ok": false, "status", "reason", "message"}.
A step's "uid" may be "$N", the uid step N produced. Byte values travel as hex.
"""
import json
import sys

from kmip import enums
from kmip.core.factories import attributes as attribute_factory
from kmip.pie import objects
from kmip.pie.client import ProxyKmipClient
from kmip.pie.exceptions import KmipOperationFailure


def main():
    scenario = json.load(sys.stdin)
    results = []

    def uid_of(step):
        value = step.get("uid")
        if isinstance(value, str) and value.startswith("$"):
            return results[int(value[1:])].get("uid")
        return value

    client = ProxyKmipClient(
        hostname=scenario["host"], port=scenario["port"], cert=scenario["cert"], key=scenario["key"],
        ca=scenario["ca"], ssl_version="PROTOCOL_TLSv1_2", config_file="/dev/null")
    with client:
        for step in scenario["steps"]:
            try:
                results.append(run(client, step, uid_of(step)))
            except KmipOperationFailure as failure:
                results.append({"ok": False, "status": failure.status.name, "reason": failure.reason.name,
                                "message": failure.message})
            except Exception as error:  # the client's own refusals (bad arguments, decoding)
                results.append({"ok": False, "status": "client", "reason": type(error).__name__, "message": str(error)})
    print(json.dumps(results))


def run(client, step, uid):
    op = step["op"]
    if op == "create":
        new_uid = client.create(enums.CryptographicAlgorithm[step.get("alg", "AES")], step.get("length", 256), name=step.get("name"))
        return {"ok": True, "uid": new_uid}
    if op == "register":
        material = bytes.fromhex(step["material"])
        kind = step["kind"]
        if kind == "symmetric":
            managed = objects.SymmetricKey(enums.CryptographicAlgorithm.AES, len(material) * 8, material, name=step.get("name", "Symmetric Key"))
        elif kind == "secret":
            managed = objects.SecretData(material, enums.SecretDataType.PASSWORD, name=step.get("name", "Secret Data"))
        else:
            managed = objects.OpaqueObject(material, enums.OpaqueDataType.NONE, name=step.get("name", "Opaque Object"))
        return {"ok": True, "uid": client.register(managed)}
    if op == "get":
        managed = client.get(uid)
        value = getattr(managed, "value", None)
        return {"ok": True, "uid": managed.unique_identifier, "type": managed.object_type.name,
                "value": value.hex() if isinstance(value, (bytes, bytearray)) else None}
    if op == "attributes":
        got_uid, attributes = client.get_attributes(uid, step.get("names"))
        out = {}
        for attribute in attributes:
            name = attribute.attribute_name.value
            value = attribute.attribute_value
            out.setdefault(name, []).append(str(getattr(value, "value", value)))
        return {"ok": True, "uid": got_uid, "attributes": out}
    if op == "locate":
        attrs = []
        factory = attribute_factory.AttributeFactory()
        if "name" in step:
            attrs.append(factory.create_attribute(enums.AttributeType.NAME, step["name"]))
        if "type" in step:
            attrs.append(factory.create_attribute(enums.AttributeType.OBJECT_TYPE, enums.ObjectType[step["type"]]))
        if "state" in step:
            attrs.append(factory.create_attribute(enums.AttributeType.STATE, enums.State[step["state"]]))
        return {"ok": True, "uids": client.locate(maximum_items=step.get("max"), offset_items=step.get("offset"), attributes=attrs)}
    if op == "activate":
        client.activate(uid)
        return {"ok": True, "uid": uid}
    if op == "revoke":
        client.revoke(enums.RevocationReasonCode[step.get("reason", "CESSATION_OF_OPERATION")], uid)
        return {"ok": True, "uid": uid}
    if op == "destroy":
        client.destroy(uid)
        return {"ok": True, "uid": uid}
    if op == "encrypt":
        parameters = {"cryptographic_algorithm": enums.CryptographicAlgorithm.AES,
                      "block_cipher_mode": enums.BlockCipherMode[step.get("mode", "CBC")],
                      "padding_method": enums.PaddingMethod[step.get("padding", "PKCS5")], "random_iv": True}
        ciphertext, iv = client.encrypt(bytes.fromhex(step["data"]), uid=uid, cryptographic_parameters=parameters)
        return {"ok": True, "uid": uid, "ciphertext": ciphertext.hex(), "iv": iv.hex() if iv else None}
    if op == "decrypt":
        parameters = {"cryptographic_algorithm": enums.CryptographicAlgorithm.AES,
                      "block_cipher_mode": enums.BlockCipherMode[step.get("mode", "CBC")],
                      "padding_method": enums.PaddingMethod[step.get("padding", "PKCS5")]}
        plaintext = client.decrypt(bytes.fromhex(step["data"]), uid=uid, cryptographic_parameters=parameters,
                                   iv_counter_nonce=bytes.fromhex(step["iv"]))
        return {"ok": True, "uid": uid, "plaintext": plaintext.hex()}
    raise ValueError("unknown step " + op)


if __name__ == "__main__":
    main()
