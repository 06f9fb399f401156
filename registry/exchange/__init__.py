"""The workbook engine: export the inventory to xlsx, and import it back (parse, validate, plan, apply)."""
