import { describe, expect, it } from "vitest";
import { Engine } from "../../../sdk/src/engine/engine.js";
import {
  isMeteredConnection,
  type NetworkInformationLike,
} from "../../../sdk/src/core/metered-connection.js";

/** A `navigator.connection` whose type can change, firing `change` as browsers do. */
class FakeConnection implements NetworkInformationLike {
  private readonly listeners = new Set<() => void>();
  constructor(
    public type: string | undefined,
    public saveData = false,
  ) {}
  addEventListener(_type: "change", listener: () => void): void {
    this.listeners.add(listener);
  }
  removeEventListener(_type: "change", listener: () => void): void {
    this.listeners.delete(listener);
  }
  switchTo(type: string): void {
    this.type = type;
    for (const listener of this.listeners) listener();
  }
  get listenerCount(): number {
    return this.listeners.size;
  }
}

describe("metered connections", () => {
  it.each([
    [undefined, false, false],
    ["wifi", false, false],
    ["ethernet", false, false],
    ["cellular", false, true],
    ["wifi", true, true],
    [undefined, true, true],
  ])("type %s, saveData %s → metered %s", (type, saveData, metered) => {
    expect(isMeteredConnection(new FakeConnection(type, saveData))).toBe(metered);
  });

  it("treats a browser without the Network Information API as unmetered", () => {
    expect(isMeteredConnection(undefined)).toBe(false);
    expect(new Engine({}, { connection: undefined }).uploading).toBe(true);
  });

  it("turns upload off by default on cellular and with Data Saver", () => {
    expect(new Engine({}, { connection: new FakeConnection("cellular") }).uploading).toBe(false);
    expect(new Engine({}, { connection: new FakeConnection("wifi", true) }).uploading).toBe(false);
    expect(new Engine({}, { connection: new FakeConnection("wifi") }).uploading).toBe(true);
  });

  it("uploads on a metered connection when the page allows it", () => {
    const engine = new Engine(
      { uploadOnMeteredConnection: true },
      { connection: new FakeConnection("cellular") },
    );
    expect(engine.uploading).toBe(true);
  });

  it("never uploads with uploadEnabled off, whatever the connection", () => {
    const connection = new FakeConnection("wifi");
    expect(
      new Engine({ uploadEnabled: false, uploadOnMeteredConnection: true }, { connection }).uploading,
    ).toBe(false);
  });

  it("follows the connection when it changes, and stops listening after destroy()", () => {
    const connection = new FakeConnection("wifi");
    const engine = new Engine({}, { connection });
    expect(engine.uploading).toBe(true);
    connection.switchTo("cellular");
    expect(engine.uploading).toBe(false);
    connection.switchTo("wifi");
    expect(engine.uploading).toBe(true);
    engine.destroy();
    engine.destroy();
    expect(connection.listenerCount).toBe(0);
  });
});
